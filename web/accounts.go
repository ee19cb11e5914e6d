package web

func (s *Server) routesAccounts() {}
func (s *Server) apiAccounts()    {}
