package web

import (
	"net/http"
	"slices"
	"strings"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/prompts"
)

// The IVR's JSON API: menus, queues' settings and prompts, with the same
// checks as the console (administrators read, the platform's
// administrators change; every change audited).

func (s *Server) apiIVR() {
	s.api("GET /api/v1/ivr/menus", s.apiListMenus)
	s.api("POST /api/v1/ivr/menus", s.apiCreateMenu)
	s.api("GET /api/v1/ivr/menus/{id}", s.apiGetMenu)
	s.api("PUT /api/v1/ivr/menus/{id}", s.apiPutMenu)
	s.api("DELETE /api/v1/ivr/menus/{id}", s.apiDeleteMenu)
	s.api("GET /api/v1/queues", s.apiListQueues)
	s.api("PUT /api/v1/queues/{name}", s.apiPutQueue)
	s.api("GET /api/v1/prompts", s.apiListPrompts)
	s.api("GET /api/v1/prompts/{lang}/{name}", s.apiGetPrompt)
	s.api("PUT /api/v1/prompts/{lang}/{name}", s.apiPutPrompt)
	s.api("DELETE /api/v1/prompts/{lang}/{name}", s.apiDeletePrompt)
}

// menuRequest is the body of POST /api/v1/ivr/menus and PUT
// /api/v1/ivr/menus/{id}: the whole menu. Key 0 needs no option: it
// always reaches the operator queue.
type menuRequest struct {
	Name           string             `json:"name"`
	Greeting       string             `json:"greeting"`
	Prompt         string             `json:"prompt"`
	Options        []anxin.MenuOption `json:"options"`
	TimeoutSeconds int                `json:"timeout_seconds"`
	Numbers        []string           `json:"numbers"`
}

func (req menuRequest) menu(id int64) *anxin.Menu {
	return &anxin.Menu{ID: id, Name: req.Name, Greeting: req.Greeting, Prompt: req.Prompt, Options: req.Options,
		TimeoutSeconds: req.TimeoutSeconds, Numbers: req.Numbers}
}

func (s *Server) apiListMenus(w http.ResponseWriter, r *http.Request) error {
	if _, err := adminScopeOf(r); err != nil {
		return err
	}
	menus, err := s.db.Menus(r.Context())
	if err != nil {
		return err
	}
	writeList(w, menus, len(menus), 0, len(menus))
	return nil
}

func (s *Server) apiGetMenu(w http.ResponseWriter, r *http.Request) error {
	if _, err := adminScopeOf(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	m, err := s.db.Menu(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, m)
	return nil
}

func (s *Server) apiCreateMenu(w http.ResponseWriter, r *http.Request) error {
	sc, err := telephonyEditorOf(r)
	if err != nil {
		return err
	}
	var req menuRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	m := req.menu(0)
	if err := s.saveMenu(r, sc, nil, m); err != nil {
		return err
	}
	return s.writeMenu(w, r, http.StatusCreated, m.ID)
}

func (s *Server) apiPutMenu(w http.ResponseWriter, r *http.Request) error {
	sc, err := telephonyEditorOf(r)
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	cur, err := s.db.Menu(r.Context(), id)
	if err != nil {
		return err
	}
	var req menuRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if err := s.saveMenu(r, sc, cur, req.menu(id)); err != nil {
		return err
	}
	return s.writeMenu(w, r, http.StatusOK, id)
}

// writeMenu answers a menu as stored.
func (s *Server) writeMenu(w http.ResponseWriter, r *http.Request, status int, id int64) error {
	m, err := s.db.Menu(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, status, m)
	return nil
}

func (s *Server) apiDeleteMenu(w http.ResponseWriter, r *http.Request) error {
	sc, err := telephonyEditorOf(r)
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.deleteMenu(r, sc, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// queueJSON is a queue's settings in the API; Custom is false for a queue
// serving with the defaults.
type queueJSON struct {
	Name            string `json:"name"`
	Label           string `json:"label"`
	Skill           string `json:"skill"`
	OverflowSeconds int    `json:"overflow_seconds"`
	MaxWaitSeconds  int    `json:"max_wait_seconds"`
	AnnounceSeconds int    `json:"announce_seconds"`
	Custom          bool   `json:"custom"`
}

func queueJSONOf(q anxin.Queue, custom bool) queueJSON {
	return queueJSON{Name: q.Name, Label: q.Label, Skill: q.Skill, OverflowSeconds: q.OverflowSeconds,
		MaxWaitSeconds: q.MaxWaitSeconds, AnnounceSeconds: q.AnnounceSeconds, Custom: custom}
}

// queuePutRequest is the body of PUT /api/v1/queues/{name}: the times are
// required; an empty label is the name, an empty skill lets any operator
// take the queue's calls.
type queuePutRequest struct {
	Label           string `json:"label"`
	Skill           string `json:"skill"`
	OverflowSeconds *int   `json:"overflow_seconds"`
	MaxWaitSeconds  *int   `json:"max_wait_seconds"`
	AnnounceSeconds *int   `json:"announce_seconds"`
}

func (s *Server) apiListQueues(w http.ResponseWriter, r *http.Request) error {
	if _, err := adminScopeOf(r); err != nil {
		return err
	}
	menus, err := s.db.Menus(r.Context())
	if err != nil {
		return err
	}
	queues, custom, err := s.queuesInUse(r.Context(), menus)
	if err != nil {
		return err
	}
	items := make([]queueJSON, len(queues))
	for i, q := range queues {
		items[i] = queueJSONOf(q, custom[q.Name])
	}
	writeList(w, items, len(items), 0, len(items))
	return nil
}

func (s *Server) apiPutQueue(w http.ResponseWriter, r *http.Request) error {
	sc, err := telephonyEditorOf(r)
	if err != nil {
		return err
	}
	var req queuePutRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	for _, f := range []struct {
		v    *int
		name string
	}{{req.OverflowSeconds, "overflow_seconds"}, {req.MaxWaitSeconds, "max_wait_seconds"}, {req.AnnounceSeconds, "announce_seconds"}} {
		if f.v == nil {
			return anxin.ErrorKey(anxin.EINVALID, "err.queue_missing", "The body lacks %s.", f.name)
		}
	}
	q := anxin.Queue{Name: r.PathValue("name"), Label: req.Label, Skill: strings.TrimSpace(req.Skill),
		OverflowSeconds: *req.OverflowSeconds, MaxWaitSeconds: *req.MaxWaitSeconds, AnnounceSeconds: *req.AnnounceSeconds}
	if err := q.Validate(); err != nil {
		return err
	}
	if err := s.saveQueue(r, sc, q); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, queueJSONOf(q, true))
	return nil
}

// apiListPrompts answers every prompt a call may play, by name and
// language: the built-in ones (builtin true) and the uploads, an upload
// standing in for the built-in prompt it replaces.
func (s *Server) apiListPrompts(w http.ResponseWriter, r *http.Request) error {
	if _, err := adminScopeOf(r); err != nil {
		return err
	}
	_, uploads, err := s.promptNames(r.Context())
	if err != nil {
		return err
	}
	items := slices.Clone(uploads)
	for _, name := range prompts.Names() {
		if !slices.ContainsFunc(uploads, func(p anxin.Prompt) bool { return p.Name == name && p.Lang == prompts.Default }) {
			items = append(items, anxin.Prompt{Name: name, Lang: prompts.Default, Millis: builtinMillis(name), Builtin: true})
		}
	}
	slices.SortFunc(items, func(a, b anxin.Prompt) int {
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return slices.Index(anxin.Languages(), a.Lang) - slices.Index(anxin.Languages(), b.Lang)
	})
	writeList(w, items, len(items), 0, len(items))
	return nil
}

func (s *Server) apiGetPrompt(w http.ResponseWriter, r *http.Request) error {
	return s.servePrompt(w, r, r.PathValue("lang"), r.PathValue("name"))
}

// apiPutPrompt stores the body, a WAV file (Content-Type audio/wav), as
// the prompt; it answers the prompt as stored.
func (s *Server) apiPutPrompt(w http.ResponseWriter, r *http.Request) error {
	sc, err := telephonyEditorOf(r)
	if err != nil {
		return err
	}
	switch ct, _, _ := strings.Cut(r.Header.Get("Content-Type"), ";"); strings.TrimSpace(strings.ToLower(ct)) {
	case "audio/wav", "audio/x-wav", "audio/wave", "audio/vnd.wave", "application/octet-stream":
	default:
		return anxin.ErrorKey(anxin.EINVALID, "err.prompt_content_type", "Send the WAV file as the body with Content-Type audio/wav.")
	}
	body := http.MaxBytesReader(w, r.Body, promptUploadMax)
	p, err := s.uploadPrompt(r, sc, r.PathValue("lang"), r.PathValue("name"), body, "")
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

func (s *Server) apiDeletePrompt(w http.ResponseWriter, r *http.Request) error {
	sc, err := telephonyEditorOf(r)
	if err != nil {
		return err
	}
	if err := s.deletePrompt(r, sc, r.PathValue("lang"), r.PathValue("name")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
