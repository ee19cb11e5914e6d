package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/namekey"
)

var _ anxin.ElderService = (*DB)(nil)

const elderCols = `e.id, e.name, e.gender, e.birth_date, COALESCE(e.id_number, ''), e.region_code, COALESCE(r.full_name, ''),
	e.address, e.living, e.tags, e.dialect, e.hearing, e.best_time, e.health, e.medication, e.contacts, e.consents,
	e.status, e.notes, e.last_contact_at, e.created_at, e.updated_at`
const elderFrom = " FROM elders e LEFT JOIN regions r ON r.code = e.region_code"

func scanElder(s interface{ Scan(...any) error }) (*anxin.Elder, error) {
	e := &anxin.Elder{}
	var tags, contacts, consents string
	var last sql.NullTime
	err := s.Scan(&e.ID, &e.Name, &e.Gender, &e.BirthDate, &e.IDNumber, &e.RegionCode, &e.RegionName,
		&e.Address, &e.Living, &tags, &e.Dialect, &e.Hearing, &e.BestTime, &e.Health, &e.Medication, &contacts, &consents,
		&e.Status, &e.Notes, &last, &e.CreatedAt, &e.UpdatedAt)
	if err != nil {
		return nil, err
	}
	e.Tags = splitTags(tags)
	if err := json.Unmarshal([]byte(contacts), &e.Contacts); err != nil {
		return nil, fmt.Errorf("elder %d contacts: %w", e.ID, err)
	}
	if err := json.Unmarshal([]byte(consents), &e.Consents); err != nil {
		return nil, fmt.Errorf("elder %d consents: %w", e.ID, err)
	}
	e.LastContactAt = timeOf(last)
	e.CreatedAt, e.UpdatedAt = e.CreatedAt.UTC(), e.UpdatedAt.UTC()
	return e, nil
}

// Tags are stored as ",a,b," so that one tag is a LIKE '%,a,%' match.
func joinTags(tags []string) string {
	if len(tags) == 0 {
		return ""
	}
	return "," + strings.Join(tags, ",") + ","
}

func splitTags(s string) []string {
	out := []string{}
	for _, t := range strings.Split(strings.Trim(s, ","), ",") {
		if t != "" {
			out = append(out, t)
		}
	}
	return out
}

func reverse(s string) string {
	b := []byte(s)
	slices.Reverse(b)
	return string(b)
}

// digits keeps the ASCII digits of s.
func digits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

func errElderNotFound(id int64) error {
	return anxin.ErrorKey(anxin.ENOTFOUND, "err.elder_not_found", "Elder %d not found.", id)
}

// canEditElders says which roles maintain the registry.
func canEditElders(sc anxin.Scope) bool {
	return sc.Has(anxin.RoleAdmin) || sc.Has(anxin.RoleOperator) || sc.Has(anxin.RoleBackOffice) ||
		sc.Has(anxin.RoleSupervisor) || sc.Has(anxin.RoleCommunity)
}

// scopeElders restricts the elders alias e to what sc may see. Suppliers,
// providers and volunteers see no elders through the registry; later
// issues give them the elders of what is assigned to them.
func (w *where) scopeElders(sc anxin.Scope) {
	switch {
	case sc.All:
	case sc.AssignedOnly:
		w.add("1 = 0")
	default:
		w.subtree("e.region_code", sc.Region)
	}
}

// FindElder returns one elder in scope with phones, or ENOTFOUND.
func (db *DB) FindElder(ctx context.Context, sc anxin.Scope, id int64) (*anxin.Elder, error) {
	return findElder(ctx, db.r, sc, id)
}

func findElder(ctx context.Context, q queryer, sc anxin.Scope, id int64) (*anxin.Elder, error) {
	var w where
	w.add("e.id = ?", id)
	w.scopeElders(sc)
	e, err := scanElder(q.QueryRowContext(ctx, "SELECT "+elderCols+elderFrom+w.sql(), w.args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errElderNotFound(id)
	} else if err != nil {
		return nil, fmt.Errorf("find elder %d: %w", id, err)
	}
	if err := loadPhones(ctx, q, []*anxin.Elder{e}); err != nil {
		return nil, err
	}
	return e, nil
}

// loadPhones fills in the elders' own phone numbers in preference order.
func loadPhones(ctx context.Context, q queryer, es []*anxin.Elder) error {
	if len(es) == 0 {
		return nil
	}
	var w where
	byID := map[int64]*anxin.Elder{}
	ids := make([]int64, 0, len(es))
	for _, e := range es {
		byID[e.ID] = e
		e.Phones = []anxin.Phone{}
		ids = append(ids, e.ID)
	}
	w.add("contact = ?", false)
	whereIn(&w, "elder_id", ids)
	rows, err := q.QueryContext(ctx, "SELECT elder_id, number, label, rank FROM elder_phones"+w.sql()+" ORDER BY elder_id, rank", w.args...)
	if err != nil {
		return fmt.Errorf("load phones: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var p anxin.Phone
		if err := rows.Scan(&id, &p.Number, &p.Label, &p.Rank); err != nil {
			return err
		}
		byID[id].Phones = append(byID[id].Phones, p)
	}
	return rows.Err()
}

// CountElders returns the number of elders in the registry.
func (db *DB) CountElders(ctx context.Context) (int, error) {
	var n int
	err := db.r.QueryRowContext(ctx, "SELECT COUNT(*) FROM elders").Scan(&n)
	return n, err
}

// CreateElder validates and stores a new elder in a committee the scope
// covers, with a history entry.
func (db *DB) CreateElder(ctx context.Context, sc anxin.Scope, e *anxin.Elder) error {
	if !canEditElders(sc) {
		return anxin.ErrorKey(anxin.EFORBIDDEN, "err.elder_edit_forbidden", "Your role cannot change the registry.")
	}
	if err := e.Validate(); err != nil {
		return err
	}
	if !sc.CoversRegion(e.RegionCode) {
		return errOutsideArea()
	}
	return db.Transact(ctx, func(tx *Tx) error { return tx.CreateElder(ctx, sc, e) })
}

// CreateElder is CreateElder inside a transaction. The caller has
// checked scope and validated.
func (tx *Tx) CreateElder(ctx context.Context, sc anxin.Scope, e *anxin.Elder) error {
	return tx.CreateElders(ctx, sc, []*anxin.Elder{e})
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// writePhones replaces an elder's numbers: its own and its contacts'.
func (tx *Tx) writePhones(ctx context.Context, e *anxin.Elder) error {
	if _, err := tx.ExecContext(ctx, "DELETE FROM elder_phones WHERE elder_id = $1", e.ID); err != nil {
		return err
	}
	var rows [][]any
	for _, p := range phoneRows(e) {
		rows = append(rows, []any{e.ID, p.number, reverse(digits(p.number)), p.label, p.rank, p.contact})
	}
	if err := tx.insertRows(ctx, "elder_phones (elder_id, number, number_rev, label, rank, contact)", rows); err != nil {
		return fmt.Errorf("insert phone: %w", err)
	}
	return nil
}

// addHistory records one change of an elder, by the scope's account.
func (tx *Tx) addHistory(ctx context.Context, sc anxin.Scope, elderID int64, field, old, new string) error {
	actor, name, err := tx.actor(ctx, sc)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO elder_history (elder_id, at, actor_id, actor_name, field, old_value, new_value)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, elderID, tx.db.Now(), actor, name, field, old, new)
	return err
}

// UpdateElder saves an elder's profile and records every changed field in
// the history (who, when, old → new).
func (db *DB) UpdateElder(ctx context.Context, sc anxin.Scope, e *anxin.Elder) error {
	if !canEditElders(sc) {
		return anxin.ErrorKey(anxin.EFORBIDDEN, "err.elder_edit_forbidden", "Your role cannot change the registry.")
	}
	if err := e.Validate(); err != nil {
		return err
	}
	return db.Transact(ctx, func(tx *Tx) error { return tx.UpdateElder(ctx, sc, e) })
}

// UpdateElder is UpdateElder inside a transaction. The caller has validated.
func (tx *Tx) UpdateElder(ctx context.Context, sc anxin.Scope, e *anxin.Elder) error {
	cur, err := findElder(ctx, tx, sc, e.ID)
	if err != nil {
		return err
	}
	if !sc.CoversRegion(e.RegionCode) {
		return errOutsideArea()
	}
	if err := tx.regionExists(ctx, e.RegionCode); err != nil {
		return err
	}
	changes := elderChanges(cur, e)
	if len(changes) == 0 {
		*e = *cur
		return nil
	}
	e.CreatedAt, e.UpdatedAt, e.LastContactAt = cur.CreatedAt, tx.db.Now(), cur.LastContactAt
	full, initials := namekey.Keys(e.Name)
	contacts, _ := json.Marshal(nonNil(e.Contacts))
	consents, _ := json.Marshal(nonNil(e.Consents))
	_, err = tx.ExecContext(ctx, `UPDATE elders SET name = $1, name_pinyin = $2, name_initials = $3, gender = $4, birth_date = $5,
		id_number = $6, id_rev = $7, region_code = $8, address = $9, living = $10, tags = $11, dialect = $12, hearing = $13,
		best_time = $14, health = $15, medication = $16, contacts = $17, consents = $18, status = $19, notes = $20, updated_at = $21
		WHERE id = $22`,
		e.Name, full, initials, e.Gender, e.BirthDate, nullString(e.IDNumber), reverse(e.IDNumber), e.RegionCode, e.Address,
		e.Living, joinTags(e.Tags), e.Dialect, e.Hearing, e.BestTime, e.Health, e.Medication, string(contacts), string(consents),
		e.Status, e.Notes, e.UpdatedAt, e.ID)
	if anxin.ErrorCode(mapError(err)) == anxin.ECONFLICT {
		return anxin.ErrorKey(anxin.ECONFLICT, "err.elder_id_taken", "An elder with this ID number is already registered.")
	} else if err != nil {
		return fmt.Errorf("update elder %d: %w", e.ID, err)
	}
	if err := tx.writePhones(ctx, e); err != nil {
		return err
	}
	for _, c := range changes {
		if err := tx.addHistory(ctx, sc, e.ID, c[0], c[1], c[2]); err != nil {
			return err
		}
	}
	return nil
}

// elderChanges lists [field, old, new] for every field that differs.
func elderChanges(a, b *anxin.Elder) [][3]string {
	js := func(v any) string { s, _ := json.Marshal(v); return string(s) }
	pairs := []struct{ field, old, new string }{
		{"name", a.Name, b.Name}, {"gender", a.Gender, b.Gender}, {"birth_date", a.BirthDate, b.BirthDate},
		{"id_number", a.IDNumber, b.IDNumber}, {"phones", js(nonNil(a.Phones)), js(nonNil(b.Phones))},
		{"region_code", a.RegionCode, b.RegionCode}, {"address", a.Address, b.Address}, {"living", a.Living, b.Living},
		{"tags", joinTags(a.Tags), joinTags(b.Tags)}, {"dialect", a.Dialect, b.Dialect}, {"hearing", a.Hearing, b.Hearing},
		{"best_time", a.BestTime, b.BestTime}, {"health", a.Health, b.Health}, {"medication", a.Medication, b.Medication},
		{"contacts", js(nonNil(a.Contacts)), js(nonNil(b.Contacts))}, {"consents", js(nonNil(a.Consents)), js(nonNil(b.Consents))},
		{"status", a.Status, b.Status}, {"notes", a.Notes, b.Notes},
	}
	var out [][3]string
	for _, p := range pairs {
		if p.old != p.new {
			out = append(out, [3]string{p.field, p.old, p.new})
		}
	}
	return out
}

// ElderHistory lists an elder's recorded changes, newest first.
func (db *DB) ElderHistory(ctx context.Context, sc anxin.Scope, id int64) ([]anxin.ElderHistory, error) {
	if _, err := findElder(ctx, db.r, sc, id); err != nil {
		return nil, err
	}
	rows, err := db.r.QueryContext(ctx, "SELECT at, actor_name, field, old_value, new_value FROM elder_history WHERE elder_id = $1 ORDER BY id DESC", id)
	if err != nil {
		return nil, fmt.Errorf("elder history: %w", err)
	}
	defer rows.Close()
	var out []anxin.ElderHistory
	for rows.Next() {
		var h anxin.ElderHistory
		if err := rows.Scan(&h.At, &h.ActorName, &h.Field, &h.Old, &h.New); err != nil {
			return nil, err
		}
		h.At = h.At.UTC()
		out = append(out, h)
	}
	return out, rows.Err()
}

// MatchElder finds the registered elder a roster row describes: by ID
// number when it has one, else by name, birth date and committee. It
// answers ENOTFOUND when there is none in scope.
func (db *DB) MatchElder(ctx context.Context, sc anxin.Scope, idNumber, name, birthDate, region string) (*anxin.Elder, error) {
	return matchElder(ctx, db.r, sc, idNumber, name, birthDate, region)
}

// MatchElder is MatchElder inside a transaction.
func (tx *Tx) MatchElder(ctx context.Context, sc anxin.Scope, idNumber, name, birthDate, region string) (*anxin.Elder, error) {
	return matchElder(ctx, tx, sc, idNumber, name, birthDate, region)
}

func matchElder(ctx context.Context, q queryer, sc anxin.Scope, idNumber, name, birthDate, region string) (*anxin.Elder, error) {
	var w where
	if idNumber != "" {
		w.add("e.id_number = ?", idNumber)
	} else {
		w.add("e.name = ? AND e.birth_date = ? AND e.region_code = ?", name, birthDate, region)
	}
	w.scopeElders(sc)
	var id int64
	err := q.QueryRowContext(ctx, "SELECT e.id FROM elders e"+w.sql()+" ORDER BY e.id LIMIT 1", w.args...).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, anxin.Errorf(anxin.ENOTFOUND, "no matching elder")
	} else if err != nil {
		return nil, fmt.Errorf("match elder: %w", err)
	}
	return findElder(ctx, q, sc, id)
}

// BeginImport prepares a transaction for a roster import. On PostgreSQL
// it serialises imports across nodes for the rest of the transaction, so
// two imports of one roster cannot both create the same elder, and plans
// each statement afresh: the import grows the elders table as it goes, and
// a plan cached while the table was small (a sequential scan) would stay
// and cost 600 ms a batch by the end. SQLite has one writer already and
// plans every statement it prepares.
func (tx *Tx) BeginImport(ctx context.Context) error {
	if tx.db.engine != Postgres {
		return nil
	}
	if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", int64(importLockKey)); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, "SET LOCAL plan_cache_mode = force_custom_plan")
	return err
}

// importLockKey is the advisory lock of roster imports ("import" in ASCII).
const importLockKey = 0x696d706f7274

// AnalyzeElders refreshes the planner's statistics of the registry after a
// bulk load (a roster import, the generator): without them SQLite cannot
// tell a name index from a region index and may scan a city's elders for
// a street's search. On SQLite the analysis reads a bounded sample of each
// index, so it takes well under a second on a million elders.
func (db *DB) AnalyzeElders(ctx context.Context) error {
	stmts := []string{"ANALYZE elders", "ANALYZE elder_phones"}
	if db.engine == SQLite {
		stmts = []string{"PRAGMA analysis_limit = 1000", "ANALYZE elders", "ANALYZE elder_phones"}
	}
	for _, q := range stmts {
		if _, err := db.w.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("analyze: %w", err)
		}
	}
	return nil
}
