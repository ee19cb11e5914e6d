package web

func (s *Server) routesOrgs() {}
func (s *Server) apiOrgs()    {}
