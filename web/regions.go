package web

import (
	"net/http"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/anxin-care/anxin"
)

// Region search bounds: a name or code fragment is short, and a page of
// matches is enough to pick from; more means the query is too vague.
const (
	maxRegionQuery   = 64  // characters
	regionPageLimit  = 200 // matches shown on the search page
	regionAPIDefault = 200 // matches returned by the API without ?limit=
	regionAPIMax     = 2000
)

// routesRegions registers the region browser. Regions are public reference
// data: every signed-in account may browse all of them, whatever its scope.
func (s *Server) routesRegions() {
	s.page("GET /regions", s.getRegions)
	s.page("GET /regions/{code}", s.getRegion)
}

// apiRegions registers the read-only region API.
func (s *Server) apiRegions() {
	s.api("GET /api/v1/regions", s.apiListRegions)
	s.api("GET /api/v1/regions/{code}", s.apiGetRegion)
}

// regionsPage is the region browser: a region with its ancestors and
// children, or the provinces, or the matches of a search.
type regionsPage struct {
	*Page
	Query     string
	QueryErr  string          // why the query was not run
	Region    *anxin.Region   // nil at the top (the provinces)
	Crumbs    []*anxin.Region // ancestors of Region, province first
	Children  []*anxin.Region
	Results   []*anxin.Region // matches when Query is set
	Truncated bool            // Results hit the limit
}

// getRegions lists the provinces, or searches every level with ?q=.
func (s *Server) getRegions(w http.ResponseWriter, r *http.Request) error {
	p := &regionsPage{Page: s.newPage(r, "regions.title")}
	p.Query = strings.TrimSpace(r.URL.Query().Get("q"))
	if p.Query != "" {
		return s.searchRegions(w, r, p)
	}
	kids, err := s.db.FindRegions(r.Context(), anxin.RegionFilter{})
	if err != nil {
		return err
	}
	p.Children = kids
	s.render(w, r, http.StatusOK, "regions", p)
	return nil
}

// searchRegions shows the matches of p.Query by name or code prefix at all
// levels. A query that cannot match any region (too long, control
// characters, LIKE wildcards) shows why, with no results and status 200, so
// a stray paste never costs the operator their page.
func (s *Server) searchRegions(w http.ResponseWriter, r *http.Request, p *regionsPage) error {
	if err := checkRegionQuery(p.Query); err != nil {
		p.QueryErr = s.msgs.userMessage(p.Lang, err)
		q := []rune(strings.ToValidUTF8(p.Query, ""))
		p.Query = string(q[:min(len(q), maxRegionQuery)])
		s.render(w, r, http.StatusOK, "regions", p)
		return nil
	}
	rs, err := s.db.FindRegions(r.Context(), anxin.RegionFilter{Query: p.Query, Limit: regionPageLimit})
	if err != nil {
		return err
	}
	p.Results, p.Truncated = rs, len(rs) >= regionPageLimit
	s.render(w, r, http.StatusOK, "regions", p)
	return nil
}

// getRegion shows one region: its ancestors as links, its own facts and
// its children.
func (s *Server) getRegion(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	reg, err := s.findRegion(r, r.PathValue("code"))
	if err != nil {
		return err
	}
	p := &regionsPage{Page: s.newPage(r, "regions.title"), Region: reg}
	p.Title = reg.Name
	for c := anxin.ParentRegionCode(reg.Code); c != ""; c = anxin.ParentRegionCode(c) {
		anc, err := s.db.FindRegion(ctx, c)
		if err != nil {
			return err
		}
		// A municipality's province and city share a name (上海市 › 上海市):
		// show only the city, whose page lists the districts.
		next := reg
		if len(p.Crumbs) > 0 {
			next = p.Crumbs[0]
		}
		if anc.Name == next.Name {
			continue
		}
		p.Crumbs = append([]*anxin.Region{anc}, p.Crumbs...)
	}
	if p.Children, err = s.db.FindRegions(ctx, anxin.RegionFilter{Parent: reg.Code}); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "regions", p)
	return nil
}

// findRegion looks a region up by code; a malformed code is ENOTFOUND
// without asking the database.
func (s *Server) findRegion(r *http.Request, code string) (*anxin.Region, error) {
	if anxin.RegionLevel(code) == 0 {
		return nil, anxin.ErrorKey(anxin.ENOTFOUND, "err.region_not_found", "Region %s not found.", truncate(code, 12))
	}
	return s.db.FindRegion(r.Context(), code)
}

// checkRegionQuery refuses search text that no region name or code can
// match: overlong text, invalid UTF-8 or control characters (which
// PostgreSQL rejects outright), and the LIKE wildcards % _ \ (which the
// code-prefix match would otherwise treat as wildcards).
func checkRegionQuery(q string) error {
	if utf8.RuneCountInString(q) > maxRegionQuery {
		return anxin.ErrorKey(anxin.EINVALID, "err.regions_query_long", "Search text too long (at most %d characters).", maxRegionQuery)
	}
	if !isPlainText(q) || strings.ContainsAny(q, `%_\`) {
		return anxin.ErrorKey(anxin.EINVALID, "err.regions_query_chars", "Search text may not contain control characters or %%, _ and \\.")
	}
	return nil
}

// regionList is the API's list of regions. Regions are not paged: a
// parent's children fit in one answer and a search is cut at limit.
type regionList struct {
	Items []*anxin.Region `json:"items"`
}

// apiListRegions answers GET /api/v1/regions: ?parent=CODE lists its
// children (404 when unknown), ?q=TEXT searches names and code prefixes,
// neither lists the provinces; ?within=CODE keeps a subtree and ?limit=
// caps the answer (default 200 for searches, at most 2000).
func (s *Server) apiListRegions(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := anxin.RegionFilter{Parent: q.Get("parent"), Query: strings.TrimSpace(q.Get("q")), Within: q.Get("within"), Limit: regionAPIMax}
	if f.Query != "" {
		if err := checkRegionQuery(f.Query); err != nil {
			return err
		}
		f.Limit = regionAPIDefault
	} else if f.Parent != "" {
		if _, err := s.findRegion(r, f.Parent); err != nil {
			return err
		}
	}
	if f.Within != "" && anxin.RegionLevel(f.Within) == 0 {
		return anxin.ErrorKey(anxin.EINVALID, "err.region_required", "A valid region code is required.")
	}
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n <= 0 {
			return anxin.Errorf(anxin.EINVALID, "limit must be a positive number")
		}
		f.Limit = min(n, regionAPIMax)
	}
	rs, err := s.db.FindRegions(r.Context(), f)
	if err != nil {
		return err
	}
	if rs == nil {
		rs = []*anxin.Region{}
	}
	writeJSON(w, http.StatusOK, regionList{Items: rs})
	return nil
}

// apiGetRegion answers GET /api/v1/regions/{code} with one region, or 404.
func (s *Server) apiGetRegion(w http.ResponseWriter, r *http.Request) error {
	reg, err := s.findRegion(r, r.PathValue("code"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, reg)
	return nil
}

// isPlainText reports whether s is valid UTF-8 without control characters,
// as names and search text typed by a person are; PostgreSQL refuses NUL
// and invalid UTF-8 outright, so such input must not reach the store.
func isPlainText(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsFunc(s, unicode.IsControl)
}
