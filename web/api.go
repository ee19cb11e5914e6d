package web

import (
	_ "embed"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/anxin-care/anxin"
)

// openAPI is the API's description, kept honest by a test against the routes.
//
//go:embed openapi.json
var openAPI []byte

// routesAPI registers the JSON API. Each resource's file adds its routes.
func (s *Server) routesAPI() {
	s.handle("GET /api/v1/openapi.json", func(w http.ResponseWriter, r *http.Request) error {
		w.Header().Set("Content-Type", "application/json")
		w.Write(openAPI)
		return nil
	})
	s.api("GET /api/v1/me", s.apiMe)
	s.apiRegions()
	s.apiOrgs()
	s.apiAccounts()
	s.apiAudit()
	s.apiElders()
	s.apiEldersImport()
	s.apiVocab()
	s.apiOrders()
	s.apiCatalogue()
	s.apiCalls()
	s.apiAlarms()
	// Unknown API paths answer JSON, after authentication like the rest.
	s.handle("/api/", func(w http.ResponseWriter, r *http.Request) error {
		if accountFrom(r.Context()) == nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="anxin"`)
			return anxin.ErrorKey(anxin.EUNAUTHORIZED, "err.token_required", "A valid API token is required: Authorization: Bearer <token>.")
		}
		return s.notFound(w, r, "/api/")
	})
}

// routesPages registers the console pages. Each resource's file adds its own.
func (s *Server) routesPages() {
	s.routesRegions()
	s.routesOrgs()
	s.routesAccounts()
	s.routesAudit()
	s.routesElders()
	s.routesEldersImport()
	s.routesVocab()
	s.routesOrders()
	s.routesCalendar()
	s.routesSLA()
	s.routesAgents()
	s.routesIVR()
	s.routesTrunks()
	s.routesCalls()
	s.routesCallbacks()
	s.routesCatalogue()
	s.routesProviders()
	s.routesMe()
	s.routesAlarms()
	s.routesWelfare()
	s.routesCampaigns()
}

type meResponse struct {
	Account *anxin.Account `json:"account"`
	Scope   scopeJSON      `json:"scope"`
	Version string         `json:"version"`
}

type scopeJSON struct {
	All          bool   `json:"all"`
	Region       string `json:"region,omitempty"`
	AssignedOnly bool   `json:"assigned_only"`
}

func (s *Server) apiMe(w http.ResponseWriter, r *http.Request) error {
	a := accountFrom(r.Context())
	sc := anxin.ScopeOf(a)
	writeJSON(w, http.StatusOK, meResponse{Account: a, Scope: scopeJSON{sc.All, sc.Region, sc.AssignedOnly}, Version: s.cfg.Version})
	return nil
}

// listResponse is the envelope of every list in the API.
type listResponse[T any] struct {
	Items  []T `json:"items"`
	Total  int `json:"total"`
	Offset int `json:"offset"`
	Limit  int `json:"limit"`
}

// writeList writes one page of items in the list envelope; an empty page
// is [] rather than null.
func writeList[T any](w http.ResponseWriter, items []T, total, offset, limit int) {
	if items == nil {
		items = []T{}
	}
	writeJSON(w, http.StatusOK, listResponse[T]{Items: items, Total: total, Offset: offset, Limit: limit})
}

// scopeOf returns the scope of the request's account.
func scopeOf(r *http.Request) anxin.Scope { return anxin.ScopeOf(accountFrom(r.Context())) }

// pageParams reads offset and limit (default 50, at most 1000).
func pageParams(r *http.Request) (offset, limit int) {
	offset, _ = strconv.Atoi(r.URL.Query().Get("offset"))
	limit, _ = strconv.Atoi(r.URL.Query().Get("limit"))
	if limit <= 0 || limit > 1000 {
		limit = 50
	}
	return max(offset, 0), limit
}

// decodeJSON reads a JSON request body of at most 1 MiB into v.
func decodeJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return anxin.Errorf(anxin.EINVALID, "bad JSON body: %v", err)
	}
	return nil
}

// pathID reads a positive integer path value; anything else is ENOTFOUND.
func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, anxin.Errorf(anxin.ENOTFOUND, "not found")
	}
	return id, nil
}
