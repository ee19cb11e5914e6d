package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/namekey"
)

// Rows per multi-row statement: well under SQLite's 32,766 and
// PostgreSQL's 65,535 parameters, and large enough that a 100,000-row
// roster costs hundreds of statements, not hundreds of thousands — what
// decides an import's time on PostgreSQL, where each statement is a
// round trip.
const (
	bulkElders = 200 // × 23 parameters
	bulkRows   = 500 // phones × 6, history × 7, keys × 3
)

// CreateElders stores new elders, already validated and in the scope,
// with their numbers and a history entry each, in a few multi-row
// statements; it sets their ids and times. A roster import and the
// generator write through it.
func (tx *Tx) CreateElders(ctx context.Context, sc anxin.Scope, es []*anxin.Elder) error {
	if len(es) == 0 {
		return nil
	}
	for _, e := range es {
		if err := tx.regionExists(ctx, e.RegionCode); err != nil {
			return err
		}
	}
	ids, err := tx.elderIDs(ctx, len(es))
	if err != nil {
		return err
	}
	now := tx.db.Now()
	for i, e := range es {
		e.ID, e.CreatedAt, e.UpdatedAt = ids[i], now, now
		if e.Tags == nil {
			e.Tags = []string{}
		}
	}
	for start := 0; start < len(es); start += bulkElders {
		if err := tx.insertElders(ctx, es[start:min(start+bulkElders, len(es))]); err != nil {
			return err
		}
	}
	var phones [][]any
	for _, e := range es {
		for _, p := range phoneRows(e) {
			phones = append(phones, []any{e.ID, p.number, reverse(digits(p.number)), p.label, p.rank, p.contact})
		}
	}
	if err := tx.insertRows(ctx, "elder_phones (elder_id, number, number_rev, label, rank, contact)", phones); err != nil {
		return fmt.Errorf("insert phones: %w", err)
	}
	actor, name, err := tx.actor(ctx, sc)
	if err != nil {
		return err
	}
	history := make([][]any, len(es))
	for i, e := range es {
		history[i] = []any{e.ID, now, actor, name, "created", "", e.Name}
	}
	if err := tx.insertRows(ctx, "elder_history (elder_id, at, actor_id, actor_name, field, old_value, new_value)", history); err != nil {
		return fmt.Errorf("insert history: %w", err)
	}
	return nil
}

// elderIDs reserves n new elder ids. PostgreSQL draws them from the
// identity sequence; SQLite, with its one writer holding the write lock
// for the whole transaction, continues after the largest id.
func (tx *Tx) elderIDs(ctx context.Context, n int) ([]int64, error) {
	ids := make([]int64, 0, n)
	if tx.db.engine == Postgres {
		rows, err := tx.QueryContext(ctx, "SELECT nextval(pg_get_serial_sequence('elders', 'id')) FROM generate_series(1, $1)", n)
		if err != nil {
			return nil, fmt.Errorf("reserve elder ids: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return nil, err
			}
			ids = append(ids, id)
		}
		return ids, rows.Err()
	}
	var last int64
	if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(id), 0) FROM elders").Scan(&last); err != nil {
		return nil, fmt.Errorf("reserve elder ids: %w", err)
	}
	for i := range n {
		ids = append(ids, last+1+int64(i))
	}
	return ids, nil
}

// insertElders writes one multi-row INSERT of elders whose ids are set.
func (tx *Tx) insertElders(ctx context.Context, es []*anxin.Elder) error {
	rows := make([][]any, len(es))
	for i, e := range es {
		full, initials := namekey.Keys(e.Name)
		contacts, _ := json.Marshal(nonNil(e.Contacts))
		consents, _ := json.Marshal(nonNil(e.Consents))
		rows[i] = []any{e.ID, e.Name, full, initials, e.Gender, e.BirthDate, nullString(e.IDNumber), reverse(e.IDNumber),
			e.RegionCode, e.Address, e.Living, joinTags(e.Tags), e.Dialect, e.Hearing, e.BestTime, e.Health, e.Medication,
			string(contacts), string(consents), e.Status, e.Notes, e.CreatedAt, e.UpdatedAt}
	}
	err := tx.insertRows(ctx, `elders (id, name, name_pinyin, name_initials, gender, birth_date, id_number, id_rev,
		region_code, address, living, tags, dialect, hearing, best_time, health, medication, contacts, consents, status, notes,
		created_at, updated_at)`, rows)
	if anxin.ErrorCode(mapError(err)) == anxin.ECONFLICT {
		return anxin.ErrorKey(anxin.ECONFLICT, "err.elder_id_taken", "An elder with this ID number is already registered.")
	} else if err != nil {
		return fmt.Errorf("insert elders: %w", err)
	}
	return nil
}

// insertRows inserts rows into table ("name (col, …)") with multi-row
// INSERT statements of at most bulkRows rows, or fewer when rows are wide.
func (tx *Tx) insertRows(ctx context.Context, table string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	per := min(bulkRows, 20000/len(rows[0]))
	for start := 0; start < len(rows); start += per {
		chunk := rows[start:min(start+per, len(rows))]
		args := make([]any, 0, len(chunk)*len(chunk[0]))
		var b strings.Builder
		b.WriteString("INSERT INTO " + table + " VALUES ")
		for i, r := range chunk {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteByte('(')
			for j, v := range r {
				if j > 0 {
					b.WriteString(", ")
				}
				args = append(args, v)
				b.WriteString(tx.placeholder(len(args)))
			}
			b.WriteByte(')')
		}
		if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
			return err
		}
	}
	return nil
}

// placeholder returns the n-th parameter of a long statement: "$n" on
// PostgreSQL, "?" on SQLite, whose driver looks each "$n" up by name in a
// list, which for thousands of parameters costs more than the insert.
func (tx *Tx) placeholder(n int) string {
	if tx.db.engine == Postgres {
		return "$" + strconv.Itoa(n)
	}
	return "?"
}

// phoneRow is one row of elder_phones for an elder.
type phoneRow struct {
	number, label string
	rank          int
	contact       bool
}

// phoneRows lists the elder's own numbers in preference order and then
// the contacts' numbers, each once.
func phoneRows(e *anxin.Elder) []phoneRow {
	var rows []phoneRow
	seen := map[string]bool{}
	for i, p := range e.Phones {
		if !seen["o"+p.Number] {
			seen["o"+p.Number] = true
			rows = append(rows, phoneRow{p.Number, p.Label, i, false})
		}
	}
	for _, c := range e.Contacts {
		for _, n := range c.Phones {
			if !seen["c"+n] {
				seen["c"+n] = true
				rows = append(rows, phoneRow{n, anxin.PhoneOther, len(rows), true})
			}
		}
	}
	return rows
}

// actor returns the account id (nil for the system) and the name history
// entries record for the scope's account.
func (tx *Tx) actor(ctx context.Context, sc anxin.Scope) (any, string, error) {
	if sc.AccountID == 0 {
		return nil, "system", nil
	}
	name, err := tx.username(ctx, sc.AccountID)
	if err != nil {
		return nil, "", fmt.Errorf("history actor: %w", err)
	}
	return sc.AccountID, name, nil
}

// ElderKey is what identifies the elder a roster row describes: the ID
// number when there is one, else name, birth date and committee.
type ElderKey struct {
	IDNumber, Name, BirthDate, RegionCode string
}

// KeyOf returns the key of an elder.
func KeyOf(e *anxin.Elder) ElderKey {
	if e.IDNumber != "" {
		return ElderKey{IDNumber: e.IDNumber}
	}
	return ElderKey{Name: e.Name, BirthDate: e.BirthDate, RegionCode: e.RegionCode}
}

// MatchElders is MatchElder for many keys at once: for each key the
// registered elder in scope (the first registered when several share a
// name, birth date and committee), with phones, or nil.
func (tx *Tx) MatchElders(ctx context.Context, sc anxin.Scope, keys []ElderKey) ([]*anxin.Elder, error) {
	idOf := map[ElderKey]int64{}
	var byNumber, byName []ElderKey
	for _, k := range keys {
		if k.IDNumber != "" {
			byNumber = append(byNumber, k)
		} else {
			byName = append(byName, k)
		}
	}
	for start := 0; start < len(byNumber); start += bulkRows {
		var w where
		numbers := make([]string, 0, bulkRows)
		for _, k := range byNumber[start:min(start+bulkRows, len(byNumber))] {
			numbers = append(numbers, k.IDNumber)
		}
		whereIn(&w, "e.id_number", numbers)
		w.scopeElders(sc)
		err := tx.scanKeys(ctx, "SELECT e.id, e.id_number, '', '', '' FROM elders e"+w.sql(), w.args, idOf)
		if err != nil {
			return nil, err
		}
	}
	for start := 0; start < len(byName); start += bulkRows {
		var w where
		ph := make([]string, 0, bulkRows)
		for _, k := range byName[start:min(start+bulkRows, len(byName))] {
			ph = append(ph, "("+w.arg(k.Name)+", "+w.arg(k.BirthDate)+", "+w.arg(k.RegionCode)+")")
		}
		w.conds = append(w.conds, "(e.name, e.birth_date, e.region_code) IN (VALUES "+strings.Join(ph, ", ")+")")
		w.scopeElders(sc)
		err := tx.scanKeys(ctx, "SELECT e.id, '', e.name, e.birth_date, e.region_code FROM elders e"+w.sql()+" ORDER BY e.id", w.args, idOf)
		if err != nil {
			return nil, err
		}
	}
	ids := make([]int64, 0, len(idOf))
	for _, id := range idOf {
		ids = append(ids, id)
	}
	byID, err := tx.eldersByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]*anxin.Elder, len(keys))
	for i, k := range keys {
		if id, ok := idOf[k]; ok {
			out[i] = byID[id]
		}
	}
	return out, nil
}

// scanKeys reads (id, id number, name, birth date, region) rows into
// idOf, keeping the first id per key.
func (tx *Tx) scanKeys(ctx context.Context, query string, args []any, idOf map[ElderKey]int64) error {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("match elders: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var k ElderKey
		if err := rows.Scan(&id, &k.IDNumber, &k.Name, &k.BirthDate, &k.RegionCode); err != nil {
			return err
		}
		if _, ok := idOf[k]; !ok {
			idOf[k] = id
		}
	}
	return rows.Err()
}

// eldersByID loads elders with their phones, bulkRows at a time.
func (tx *Tx) eldersByID(ctx context.Context, ids []int64) (map[int64]*anxin.Elder, error) {
	out := make(map[int64]*anxin.Elder, len(ids))
	for start := 0; start < len(ids); start += bulkRows {
		var w where
		whereIn(&w, "e.id", ids[start:min(start+bulkRows, len(ids))])
		rows, err := tx.QueryContext(ctx, "SELECT "+elderCols+elderFrom+w.sql(), w.args...)
		if err != nil {
			return nil, fmt.Errorf("load elders: %w", err)
		}
		var es []*anxin.Elder
		for rows.Next() {
			e, err := scanElder(rows)
			if err != nil {
				rows.Close()
				return nil, err
			}
			es = append(es, e)
			out[e.ID] = e
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, err
		}
		if err := loadPhones(ctx, tx, es); err != nil {
			return nil, err
		}
	}
	return out, nil
}
