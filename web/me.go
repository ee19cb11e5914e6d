package web

func (s *Server) routesMe() {}
