package web

func (s *Server) routesRegions() {}
func (s *Server) apiRegions()    {}
