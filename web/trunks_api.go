package web

import (
	"net/http"
	"net/netip"
	"strings"

	"github.com/anxin-care/anxin"
)

// trunkJSON is a trunk in the API: never its password, only whether one
// is set; with its status on each node.
type trunkJSON struct {
	anxin.Trunk
	HasPassword bool                 `json:"has_password"`
	Status      []*anxin.TrunkStatus `json:"status"`
}

// trunkRequest is the body of POST /api/v1/trunks (name, kind and
// caller_id required; enabled defaults to true) and PATCH
// /api/v1/trunks/{id} (the fields to change). An empty or absent password
// keeps the one set.
type trunkRequest struct {
	Name        *string   `json:"name"`
	Kind        *string   `json:"kind"`
	Peers       *[]string `json:"peers"`
	Host        *string   `json:"host"`
	Username    *string   `json:"username"`
	Password    *string   `json:"password"`
	CallerID    *string   `json:"caller_id"`
	MaxChannels *int      `json:"max_channels"`
	Priority    *int      `json:"priority"`
	Enabled     *bool     `json:"enabled"`
}

// apply sets the fields the request carries on t.
func (req trunkRequest) apply(t *anxin.Trunk) error {
	if req.Peers != nil {
		peers, err := parsePeers(strings.Join(*req.Peers, ","))
		if err != nil {
			return err
		}
		t.Peers = peers
	}
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = strings.TrimSpace(*v)
		}
	}
	set(&t.Name, req.Name)
	set(&t.Kind, req.Kind)
	set(&t.Host, req.Host)
	set(&t.Username, req.Username)
	set(&t.CallerID, req.CallerID)
	t.Password = ""
	if req.Password != nil {
		t.Password = *req.Password
	}
	if req.MaxChannels != nil {
		t.MaxChannels = *req.MaxChannels
	}
	if req.Priority != nil {
		t.Priority = *req.Priority
	}
	if req.Enabled != nil {
		t.Enabled = *req.Enabled
	}
	return nil
}

// trunksJSON answers the trunks with their statuses.
func (s *Server) trunksJSON(r *http.Request) ([]trunkJSON, error) {
	trunks, err := s.db.Trunks(r.Context())
	if err != nil {
		return nil, err
	}
	status, err := s.db.TrunkStatuses(r.Context(), "")
	if err != nil {
		return nil, err
	}
	out := make([]trunkJSON, len(trunks))
	for i, t := range trunks {
		out[i] = trunkJSON{Trunk: *t, HasPassword: t.Password != "", Status: []*anxin.TrunkStatus{}}
		for _, st := range status {
			if st.TrunkID == t.ID {
				out[i].Status = append(out[i].Status, st)
			}
		}
	}
	return out, nil
}

// apiTrunks answers GET /api/v1/trunks to administrators (403 otherwise).
func (s *Server) apiTrunks(w http.ResponseWriter, r *http.Request) error {
	if _, err := adminScopeOf(r); err != nil {
		return err
	}
	items, err := s.trunksJSON(r)
	if err != nil {
		return err
	}
	writeList(w, items, len(items), 0, len(items))
	return nil
}

// writeTrunk answers one trunk after a write.
func (s *Server) writeTrunk(w http.ResponseWriter, r *http.Request, status int, id int64) error {
	items, err := s.trunksJSON(r)
	if err != nil {
		return err
	}
	for _, t := range items {
		if t.ID == id {
			writeJSON(w, status, t)
			return nil
		}
	}
	return anxin.ErrorKey(anxin.ENOTFOUND, "err.trunk_not_found", "Trunk %d not found.", id)
}

// apiCreateTrunk answers POST /api/v1/trunks (platform administrators).
func (s *Server) apiCreateTrunk(w http.ResponseWriter, r *http.Request) error {
	sc, err := telephonyEditorOf(r)
	if err != nil {
		return err
	}
	var req trunkRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	t := &anxin.Trunk{Enabled: true, Peers: []netip.Prefix{}}
	if err := req.apply(t); err != nil {
		return err
	}
	if err := s.saveTrunk(r, sc, nil, t); err != nil {
		return err
	}
	return s.writeTrunk(w, r, http.StatusCreated, t.ID)
}

// apiPatchTrunk answers PATCH /api/v1/trunks/{id} (platform
// administrators).
func (s *Server) apiPatchTrunk(w http.ResponseWriter, r *http.Request) error {
	sc, err := telephonyEditorOf(r)
	if err != nil {
		return err
	}
	cur, err := s.trunkOf(r)
	if err != nil {
		return err
	}
	var req trunkRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	next := *cur
	if err := req.apply(&next); err != nil {
		return err
	}
	if err := s.saveTrunk(r, sc, cur, &next); err != nil {
		return err
	}
	return s.writeTrunk(w, r, http.StatusOK, cur.ID)
}

// apiDIDs answers GET /api/v1/dids to administrators (403 otherwise).
func (s *Server) apiDIDs(w http.ResponseWriter, r *http.Request) error {
	if _, err := adminScopeOf(r); err != nil {
		return err
	}
	dids, err := s.db.DIDs(r.Context())
	if err != nil {
		return err
	}
	writeList(w, dids, len(dids), 0, len(dids))
	return nil
}

// didRequest is the body of POST /api/v1/dids (every field) and PATCH
// /api/v1/dids/{number} (the fields to change; the number stays).
type didRequest struct {
	Number     *string `json:"number"`
	Flow       *string `json:"flow"`
	RegionCode *string `json:"region_code"`
	Name       *string `json:"name"`
}

func (req didRequest) apply(d *anxin.DID) {
	for _, f := range []struct{ dst, v *string }{{&d.Flow, req.Flow}, {&d.RegionCode, req.RegionCode}, {&d.Name, req.Name}} {
		if f.v != nil {
			*f.dst = strings.TrimSpace(*f.v)
		}
	}
}

// apiCreateDID answers POST /api/v1/dids (platform administrators; 409
// for a number configured already).
func (s *Server) apiCreateDID(w http.ResponseWriter, r *http.Request) error {
	sc, err := telephonyEditorOf(r)
	if err != nil {
		return err
	}
	var req didRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	d := &anxin.DID{}
	if req.Number != nil {
		d.Number = strings.TrimSpace(*req.Number)
	}
	req.apply(d)
	if err := s.saveDID(r, sc, d, true); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, d)
	return nil
}

// apiPatchDID answers PATCH /api/v1/dids/{number} (platform
// administrators; 404 for a number not configured).
func (s *Server) apiPatchDID(w http.ResponseWriter, r *http.Request) error {
	sc, err := telephonyEditorOf(r)
	if err != nil {
		return err
	}
	cur, err := s.db.DID(r.Context(), r.PathValue("number"))
	if err != nil {
		return err
	}
	var req didRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if req.Number != nil && strings.TrimSpace(*req.Number) != cur.Number {
		return anxin.ErrorKey(anxin.EINVALID, "err.did_number_fixed", "A number cannot be renamed; add the new number instead.")
	}
	next := *cur
	req.apply(&next)
	if err := s.saveDID(r, sc, &next, false); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, next)
	return nil
}
