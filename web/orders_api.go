package web

import (
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/anxin-care/anxin"
)

// Work order API (/api/v1/orders): take an order, list and read orders in
// scope, act on one (dispatch, accept, return, start, complete …), read
// its timeline and photos.

func (s *Server) apiOrders() {
	s.api("GET /api/v1/orders", s.apiListOrders)
	s.api("POST /api/v1/orders", s.apiCreateOrder)
	s.api("GET /api/v1/orders/{id}", s.apiGetOrder)
	s.api("GET /api/v1/orders/{id}/elder", s.apiOrderElder)
	s.api("POST /api/v1/orders/{id}/actions", s.apiActOnOrder)
	s.api("GET /api/v1/orders/{id}/events", s.apiOrderEvents)
	s.api("GET /api/v1/orders/{id}/attachments/{aid}", s.getOrderAttachment)
	s.api("GET /api/v1/orders/{id}/suggestions", s.apiSuggestAssignees)
	s.api("GET /api/v1/orders/{id}/return-visit", s.apiGetReturnVisit)
	s.api("POST /api/v1/orders/{id}/return-visit", s.apiPostReturnVisit)
}

func (s *Server) apiSuggestAssignees(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	sug, err := s.db.SuggestAssignees(r.Context(), scopeOf(r), id)
	if err != nil {
		return err
	}
	writeList(w, sug, len(sug), 0, len(sug))
	return nil
}

func (s *Server) apiGetReturnVisit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	v, err := s.db.FindReturnVisit(r.Context(), scopeOf(r), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s *Server) apiPostReturnVisit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in anxin.VisitResult
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	v, err := s.db.RecordReturnVisit(r.Context(), scopeOf(r), id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// parseOrderQuery reads list filters shared by the page and the API.
func parseOrderQuery(q url.Values, sc anxin.Scope) anxin.OrderFilter {
	f := anxin.OrderFilter{Query: strings.TrimSpace(q.Get("q")), Urgency: q.Get("urgency"), Within: q.Get("within"),
		Overdue: formBool(q.Get("overdue")), Open: formBool(q.Get("open")), Sort: q.Get("sort")}
	for _, t := range q["type"] {
		if t != "" {
			f.Types = append(f.Types, t)
		}
	}
	for _, st := range q["state"] {
		if st != "" {
			f.States = append(f.States, st)
		}
	}
	f.ElderID, _ = strconv.ParseInt(q.Get("elder_id"), 10, 64)
	f.AssigneeOrgID, _ = strconv.ParseInt(q.Get("assignee"), 10, 64)
	if formBool(q.Get("mine")) {
		f.CreatedByID = sc.AccountID
	}
	return f
}

func (s *Server) apiListOrders(w http.ResponseWriter, r *http.Request) error {
	sc := scopeOf(r)
	f := parseOrderQuery(r.URL.Query(), sc)
	f.Offset, f.Limit = pageParams(r)
	orders, total, err := s.db.FindOrders(r.Context(), sc, f)
	if err != nil {
		return err
	}
	writeList(w, orders, total, f.Offset, f.Limit)
	return nil
}

// orderInput is the body of POST /api/v1/orders.
type orderInput struct {
	Type        string            `json:"type"`
	Channel     string            `json:"channel"`
	Urgency     string            `json:"urgency"`
	ElderID     int64             `json:"elder_id"`
	Title       string            `json:"title"`
	Description string            `json:"description"`
	CategoryID  int64             `json:"category_id"`
	ItemID      int64             `json:"item_id"`
	Lines       []anxin.OrderLine `json:"lines"`
	CallID      int64             `json:"call_id"`
	ParentID    int64             `json:"parent_id"`
	// IdempotencyKey may also come as the Idempotency-Key header.
	IdempotencyKey string `json:"idempotency_key"`
}

func (s *Server) apiCreateOrder(w http.ResponseWriter, r *http.Request) error {
	var in orderInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	key := in.IdempotencyKey
	if h := r.Header.Get("Idempotency-Key"); h != "" {
		key = h
	}
	o := &anxin.Order{Type: in.Type, Channel: in.Channel, Urgency: in.Urgency, ElderID: in.ElderID, Title: in.Title,
		Description: in.Description, CategoryID: in.CategoryID, ItemID: in.ItemID, Lines: in.Lines, CallID: in.CallID,
		ParentID: in.ParentID, IdempotencyKey: key}
	if o.Channel == "" {
		o.Channel = anxin.ChannelWeb
	}
	if err := s.db.CreateOrder(r.Context(), scopeOf(r), o); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, o)
	return nil
}

func (s *Server) orderOf(r *http.Request) (*anxin.Order, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	return s.db.FindOrder(r.Context(), scopeOf(r), id)
}

func (s *Server) apiGetOrder(w http.ResponseWriter, r *http.Request) error {
	o, err := s.orderOf(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, o)
	return nil
}

// actionInput is the body of POST /api/v1/orders/{id}/actions: JSON, or a
// multipart form with the same fields and "photo" files.
type actionInput struct {
	Action      string    `json:"action"`
	Version     int       `json:"version"`
	Note        string    `json:"note"`
	OrgID       int64     `json:"org_id"`
	ItemID      int64     `json:"item_id"`
	MergeInto   int64     `json:"merge_into"`
	ScheduledAt time.Time `json:"scheduled_at"`
	Outcome     string    `json:"outcome"`
	CashFen     int64     `json:"cash_fen"`
}

func (s *Server) apiActOnOrder(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var a anxin.OrderAction
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		if a, err = readActionForm(r); err != nil {
			return err
		}
	} else {
		var in actionInput
		if err := decodeJSON(r, &in); err != nil {
			return err
		}
		a = anxin.OrderAction{Action: in.Action, Version: in.Version, Note: in.Note, OrgID: in.OrgID, ItemID: in.ItemID,
			MergeInto: in.MergeInto, ScheduledAt: in.ScheduledAt, Outcome: in.Outcome, CashFen: in.CashFen}
	}
	o, err := s.db.ActOnOrder(r.Context(), scopeOf(r), id, a)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, o)
	return nil
}

// maxActionBody bounds an action with photos: six photos and the fields.
const maxActionBody = 6*anxin.MaxAttachmentBytes + 1<<20

// readActionForm reads an action posted as a form (the console, or the
// API with photos): action, version, note, org_id, item_id or offer,
// merge_into, scheduled_at (2006-01-02T15:04 in China time), outcome and
// cash (yuan as typed, for a supply delivery) and "photo" files.
func readActionForm(r *http.Request) (anxin.OrderAction, error) {
	r.Body = http.MaxBytesReader(nil, r.Body, maxActionBody)
	if err := r.ParseMultipartForm(1 << 20); err != nil && err != http.ErrNotMultipart {
		return anxin.OrderAction{}, anxin.ErrorKey(anxin.EINVALID, "err.order_form", "The form could not be read (photos too large?).")
	}
	v := func(k string) string { return strings.TrimSpace(r.FormValue(k)) }
	a := anxin.OrderAction{Action: v("action"), Note: v("note")}
	a.Version, _ = strconv.Atoi(v("version"))
	a.OrgID, _ = strconv.ParseInt(v("org_id"), 10, 64)
	a.ItemID, _ = strconv.ParseInt(v("item_id"), 10, 64)
	// A suggestion chosen on the order's page ("org:item"), unless another
	// organisation was picked.
	if org, item, ok := strings.Cut(v("offer"), ":"); ok && a.OrgID == 0 {
		a.OrgID, _ = strconv.ParseInt(org, 10, 64)
		a.ItemID, _ = strconv.ParseInt(item, 10, 64)
	}
	a.MergeInto, _ = strconv.ParseInt(strings.TrimPrefix(v("merge_into"), "#"), 10, 64)
	a.Outcome = v("outcome")
	if c := v("cash"); c != "" {
		fen, err := anxin.ParseYuan(c)
		if err != nil {
			return a, err
		}
		a.CashFen = fen
	}
	if t := v("scheduled_at"); t != "" {
		at, err := time.ParseInLocation("2006-01-02T15:04", t, chinaTime)
		if err != nil {
			return a, anxin.ErrorKey(anxin.EINVALID, "err.order_schedule", "Give the date and time of the visit.")
		}
		a.ScheduledAt = at
	}
	if r.MultipartForm != nil {
		for _, fh := range r.MultipartForm.File["photo"] {
			p, err := readPhoto(fh)
			if err != nil {
				return a, err
			}
			if len(p.Data) > 0 {
				a.Attachments = append(a.Attachments, p)
			}
		}
	}
	return a, nil
}

func readPhoto(fh *multipart.FileHeader) (anxin.OrderAttachment, error) {
	f, err := fh.Open()
	if err != nil {
		return anxin.OrderAttachment{}, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, anxin.MaxAttachmentBytes+1))
	if err != nil {
		return anxin.OrderAttachment{}, err
	}
	return anxin.OrderAttachment{Filename: fh.Filename, Data: data}, nil
}

func (s *Server) apiOrderEvents(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	events, err := s.db.OrderEvents(r.Context(), scopeOf(r), id)
	if err != nil {
		return err
	}
	writeList(w, events, len(events), 0, len(events))
	return nil
}

// getOrderAttachment sends one photo of an order in scope (page and API).
func (s *Server) getOrderAttachment(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	aid, err := pathID(r, "aid")
	if err != nil {
		return err
	}
	p, err := s.db.OrderAttachment(r.Context(), scopeOf(r), id, aid)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", p.ContentType)
	w.Header().Set("Content-Disposition", "inline")
	w.Header().Set("Cache-Control", "private, max-age=3600")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Write(p.Data)
	return nil
}
