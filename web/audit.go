package web

func (s *Server) routesAudit() {}
func (s *Server) apiAudit()    {}
