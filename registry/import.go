package registry

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/roster"
	"github.com/anxin-care/anxin/store"
)

// Row outcomes in a preview.
const (
	ActionCreate   = "create"    // a new elder
	ActionUpdate   = "update"    // an elder already registered; changed fields are saved
	ActionUnchange = "unchanged" // already registered exactly so
	ActionReject   = "reject"    // not imported; see Errors
)

// RowError is one problem with one row, named as the user sees it: the
// spreadsheet row number and the column header.
type RowError struct {
	Row    int    `json:"row"`
	Column string `json:"column"`
	Field  string `json:"field"`
	Reason string `json:"reason"`
	Value  string `json:"value,omitempty"`
	Detail string `json:"detail,omitempty"`
}

// RowResult is the preview of one row.
type RowResult struct {
	Row        int          `json:"row"`
	Action     string       `json:"action"`
	Elder      *anxin.Elder `json:"-"`
	ExistingID int64        `json:"existing_id,omitempty"`
	Errors     []RowError   `json:"errors,omitempty"`
}

// Preview is what an import would do, row by row, before anything is
// written.
type Preview struct {
	Sheet    string      `json:"sheet"`
	Format   string      `json:"format"`
	Encoding string      `json:"encoding,omitempty"`
	Header   int         `json:"header_row"`
	Unmapped []string    `json:"unmapped_columns,omitempty"`
	Rows     []RowResult `json:"-"`
	Counts
}

// Counts sums a preview or an import.
type Counts struct {
	Total     int `json:"rows"`
	Valid     int `json:"valid"`
	Rejected  int `json:"rejected"`
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
}

// Errors lists every row problem in row order.
func (p *Preview) Errors() []RowError {
	out := []RowError{}
	for _, r := range p.Rows {
		out = append(out, r.Errors...)
	}
	return out
}

// Importer checks rosters against the registry and imports them.
type Importer struct {
	DB *store.DB
}

// Preview reads every record of the sheet into an elder, checks it, and
// says what importing it would do. It writes nothing.
func (im *Importer) Preview(ctx context.Context, sc anxin.Scope, sh *roster.Sheet) (*Preview, error) {
	if sc.AssignedOnly || !(sc.All || sc.Has(anxin.RoleAdmin) || sc.Has(anxin.RoleOperator) || sc.Has(anxin.RoleBackOffice) || sc.Has(anxin.RoleSupervisor) || sc.Has(anxin.RoleCommunity)) {
		return nil, anxin.ErrorKey(anxin.EFORBIDDEN, "err.elder_edit_forbidden", "Your role cannot change the registry.")
	}
	p := &Preview{Sheet: sh.Name, Format: sh.Format, Encoding: sh.Encoding, Header: sh.HeaderRow, Unmapped: sh.Unmapped}
	headers := map[string]string{}
	for _, c := range sh.Columns {
		if _, ok := headers[string(c.Field)]; !ok {
			headers[string(c.Field)] = c.Header
		}
	}
	ix := newCommitteeIndex(ctx, im.DB, sc.Region)
	vocab, err := im.DB.Vocabulary(ctx)
	if err != nil {
		return nil, err
	}
	seen := map[string]int{}
	for i := range sh.Records {
		rec := &sh.Records[i]
		rr := RowResult{Row: rec.Row}
		e, errs, err := im.elderOf(sh, rec, ix, vocab)
		if err != nil {
			return nil, err
		}
		key := dedupKey(e)
		if first, dup := seen[key]; dup && len(errs) == 0 {
			errs = append(errs, &FieldError{Field: "name", Reason: ReasonDuplicate, Value: e.Name, Detail: fmt.Sprintf("same elder as row %d", first)})
		} else if len(errs) == 0 {
			seen[key] = rec.Row
		}
		for _, fe := range errs {
			rr.Errors = append(rr.Errors, RowError{Row: rec.Row, Column: headers[fe.Field], Field: fe.Field, Reason: fe.Reason, Value: fe.Value, Detail: fe.Detail})
		}
		if len(rr.Errors) > 0 {
			rr.Action = ActionReject
			p.Rejected++
		} else {
			rr.Elder = e
			p.Valid++
		}
		p.Rows = append(p.Rows, rr)
	}
	// One snapshot for matching every valid row against the registry.
	err = im.DB.View(ctx, func(tx *store.Tx) error {
		for _, b := range batches(p.Rows) {
			curs, err := tx.MatchElders(ctx, sc, keysOf(b))
			if err != nil {
				return err
			}
			for i, rr := range b {
				classify(rr, curs[i])
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	p.Total = len(p.Rows)
	return p, nil
}

func dedupKey(e *anxin.Elder) string {
	if e.IDNumber != "" {
		return "id:" + e.IDNumber
	}
	return "n:" + e.Name + "|" + e.BirthDate + "|" + e.RegionCode + "|" + e.Address
}

// classify decides whether a valid row creates, updates or changes
// nothing, given the registered elder it matches (nil for none). The row
// keeps the roster's elder: Commit merges it again over what is
// registered then.
func classify(rr *RowResult, cur *anxin.Elder) {
	switch {
	case cur == nil:
		rr.Action = ActionCreate
	case sameProfile(cur, merge(cur, rr.Elder)):
		rr.ExistingID, rr.Action = cur.ID, ActionUnchange
	default:
		rr.ExistingID, rr.Action = cur.ID, ActionUpdate
	}
}

// batchRows is the number of rows matched and written together.
const batchRows = 500

// batches cuts the valid rows into groups of up to batchRows that are
// matched against the registry together. A group ends before a row that
// describes the same elder as an earlier row of the group (same name,
// birth date and committee, different address), so that the later row
// finds the elder the earlier one creates, as if written one by one.
func batches(rows []RowResult) [][]*RowResult {
	var out [][]*RowResult
	var cur []*RowResult
	keys := map[store.ElderKey]bool{}
	for i := range rows {
		rr := &rows[i]
		if rr.Action == ActionReject {
			continue
		}
		k := store.KeyOf(rr.Elder)
		if len(cur) == batchRows || keys[k] {
			out, cur, keys = append(out, cur), nil, map[store.ElderKey]bool{}
		}
		cur, keys[k] = append(cur, rr), true
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

func keysOf(b []*RowResult) []store.ElderKey {
	keys := make([]store.ElderKey, len(b))
	for i, rr := range b {
		keys[i] = store.KeyOf(rr.Elder)
	}
	return keys
}

// Commit writes the valid rows of a preview in one transaction: all or
// nothing. Rows are matched again inside the transaction, so an elder
// created by a concurrent import is updated rather than created twice.
func (im *Importer) Commit(ctx context.Context, sc anxin.Scope, p *Preview) (Counts, error) {
	c := Counts{Total: p.Total, Valid: p.Valid, Rejected: p.Rejected}
	err := im.DB.Transact(ctx, func(tx *store.Tx) error {
		c.Created, c.Updated, c.Unchanged = 0, 0, 0
		if err := tx.BeginImport(ctx); err != nil {
			return err
		}
		for _, b := range batches(p.Rows) {
			curs, err := tx.MatchElders(ctx, sc, keysOf(b))
			if err != nil {
				return err
			}
			var creates []*anxin.Elder
			for i, rr := range b {
				e := *rr.Elder
				if curs[i] == nil {
					e.ID = 0
					creates = append(creates, &e)
					continue
				}
				m := merge(curs[i], &e)
				if sameProfile(curs[i], m) {
					c.Unchanged++
					continue
				}
				if err := tx.UpdateElder(ctx, sc, m); err != nil {
					return fmt.Errorf("row %d: %w", rr.Row, err)
				}
				c.Updated++
			}
			if err := tx.CreateElders(ctx, sc, creates); err != nil {
				return fmt.Errorf("rows %d–%d: %w", b[0].Row, b[len(b)-1].Row, err)
			}
			c.Created += len(creates)
		}
		return nil
	})
	if err == nil && c.Created+c.Updated >= analyzeAfter {
		// The import stands; stale statistics only slow searches down.
		_ = im.DB.AnalyzeElders(ctx)
	}
	return c, err
}

// analyzeAfter is the number of elders an import writes from which it
// refreshes the planner's statistics.
const analyzeAfter = 1000

// merge lays a roster's values over a registered elder: what the roster
// gives replaces, what it leaves empty is kept.
func merge(cur, in *anxin.Elder) *anxin.Elder {
	m := *cur
	set := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	set(&m.Name, in.Name)
	set(&m.Gender, in.Gender)
	set(&m.BirthDate, in.BirthDate)
	set(&m.IDNumber, in.IDNumber)
	set(&m.RegionCode, in.RegionCode)
	set(&m.Address, in.Address)
	set(&m.Living, in.Living)
	set(&m.Dialect, in.Dialect)
	set(&m.Health, in.Health)
	set(&m.Notes, in.Notes)
	if len(in.Phones) > 0 {
		m.Phones = in.Phones
	}
	if len(in.Tags) > 0 {
		m.Tags = in.Tags
	}
	if len(in.Contacts) > 0 {
		m.Contacts = in.Contacts
	}
	return &m
}

func sameProfile(a, b *anxin.Elder) bool {
	return fmt.Sprint(a.Name, a.Gender, a.BirthDate, a.IDNumber, a.RegionCode, a.Address, a.Living, a.Dialect, a.Health, a.Notes, a.Phones, a.Tags, a.Contacts) ==
		fmt.Sprint(b.Name, b.Gender, b.BirthDate, b.IDNumber, b.RegionCode, b.Address, b.Living, b.Dialect, b.Health, b.Notes, b.Phones, b.Tags, b.Contacts)
}

var phoneSplit = regexp.MustCompile(`[,，;；/、\n]+|\s{2,}`)

// elderOf turns one record into an elder and its field problems.
func (im *Importer) elderOf(sh *roster.Sheet, rec *roster.Record, ix *committeeIndex, vocab *anxin.Vocabulary) (*anxin.Elder, []*FieldError, error) {
	var errs []*FieldError
	e := &anxin.Elder{Name: rec.Get(roster.FieldName), Address: rec.Get(roster.FieldAddress),
		Notes: strings.Join(rec.All(roster.FieldNotes), "；"), Health: rec.Get(roster.FieldHealth), IDNumber: rec.Get(roster.FieldIDNumber)}
	if e.Name == "" {
		errs = append(errs, &FieldError{Field: "name", Reason: ReasonRequired})
	}
	if g := rec.Get(roster.FieldGender); g != "" {
		if e.Gender = gender(g); e.Gender == "" {
			errs = append(errs, &FieldError{Field: "gender", Reason: ReasonBadValue, Value: g})
		}
	}
	if b := rec.Get(roster.FieldBirthDate); b != "" {
		d, err := roster.ParseDate(b)
		switch {
		case err != nil:
			errs = append(errs, &FieldError{Field: "birth_date", Reason: ReasonBadDate, Value: b, Detail: err.Error()})
		case d.After(time.Now()):
			errs = append(errs, &FieldError{Field: "birth_date", Reason: ReasonFutureDate, Value: b})
		default:
			e.BirthDate = d.Format("2006-01-02")
		}
	}
	if l := rec.Get(roster.FieldLiving); l != "" {
		e.Living = living(l)
	}
	tags, tagErrs := rosterTags(vocab, rec.All(roster.FieldTags), &e.Living)
	e.Tags, errs = tags, append(errs, tagErrs...)
	if d := rec.Get(roster.FieldDialect); d != "" {
		dialect, dialectErrs := rosterDialect(vocab, d)
		e.Dialect, errs = dialect, append(errs, dialectErrs...)
	}
	for _, cell := range sh.Phones(rec) {
		for _, n := range phoneSplit.Split(cell.Text, -1) {
			if n = strings.TrimSpace(n); n != "" {
				e.Phones = append(e.Phones, anxin.Phone{Number: n, Label: cell.Label})
			}
		}
	}
	if cn := rec.Get(roster.FieldContactName); cn != "" || len(rec.All(roster.FieldContactPhone)) > 0 {
		c := anxin.Contact{Name: cn, Relation: rec.Get(roster.FieldContactRelation)}
		for _, v := range rec.All(roster.FieldContactPhone) {
			c.Phones = append(c.Phones, phoneSplit.Split(v, -1)...)
		}
		e.Contacts = []anxin.Contact{c}
	}
	region, reason, err := ix.find(rec.Get(roster.FieldCommittee), rec.Get(roster.FieldStreet))
	if err != nil {
		return nil, nil, err
	}
	if reason != "" {
		errs = append(errs, &FieldError{Field: "committee", Reason: reason, Value: rec.Get(roster.FieldCommittee)})
	} else {
		e.RegionCode = region.Code
	}
	errs = append(errs, Normalize(e)...)
	if len(errs) == 0 {
		if err := e.Validate(); err != nil {
			errs = append(errs, &FieldError{Field: "name", Reason: ReasonBadValue, Value: e.Name, Detail: anxin.ErrorMessage(err)})
		}
	}
	return e, errs, nil
}

func gender(s string) string {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "男", "m", "male", "1":
		return anxin.GenderMale
	case "女", "f", "female", "2":
		return anxin.GenderFemale
	}
	return ""
}

// living reads the many ways rosters write the living arrangement.
func living(s string) string {
	switch {
	case strings.Contains(s, "纯老"):
		return anxin.LivingEldersOnly
	case strings.Contains(s, "独居"), s == "是", s == "Y", s == "y", s == "√":
		return anxin.LivingAlone
	case strings.Contains(s, "子女"), strings.Contains(s, "家人"), strings.Contains(s, "同住"), s == "否":
		return anxin.LivingFamily
	}
	return ""
}
