package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/phone"
)

// The toll-fraud guard: Anxin rings out only to the numbers of registered
// elders and their emergency contacts in the caller's area, or to numbers
// an administrator put on the allow-list; international, premium-rate and
// service numbers never pass unless allowed one by one.

// dialDigits reduces a dialled number to digits, keeping a leading + (an
// international number), for the allow-list.
func dialDigits(raw string) string {
	var b strings.Builder
	for i, r := range strings.TrimSpace(raw) {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r >= '０' && r <= '９':
			b.WriteRune('0' + (r - '０'))
		case (r == '+' || r == '＋') && i == 0:
			b.WriteByte('+')
		}
	}
	return b.String()
}

// DialCheck decides whether Anxin may ring raw for sc and returns the
// number to dial: an allow-listed number as listed, else the canonical
// mainland number of an elder or contact in sc's area. Anything else is
// EFORBIDDEN, saying why.
func (db *DB) DialCheck(ctx context.Context, sc anxin.Scope, raw string) (string, error) {
	d := dialDigits(raw)
	if d == "" || d == "+" {
		return "", anxin.ErrorKey(anxin.EINVALID, "err.dial_empty", "Give the number to call.")
	}
	var one int
	err := db.r.QueryRowContext(ctx, "SELECT 1 FROM dial_allowlist WHERE number = $1", d).Scan(&one)
	if err == nil {
		return d, nil
	} else if !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("dial allow-list: %w", err)
	}
	n, err := phone.Normalize(raw, phone.AreaCode(sc.Region))
	if err != nil {
		return "", anxin.ErrorKey(anxin.EFORBIDDEN, "err.dial_not_national",
			"Anxin does not ring %s: international, premium-rate and service numbers need the allow-list.", raw)
	}
	elders, err := db.LookupPhone(ctx, sc, n)
	if err != nil {
		return "", err
	}
	if len(elders) == 0 {
		return "", anxin.ErrorKey(anxin.EFORBIDDEN, "err.dial_not_registered",
			"%s is not the number of an elder or emergency contact in your area.", phone.Mask(n))
	}
	return n, nil
}

// AllowedNumber is an entry of the dial allow-list.
type AllowedNumber struct {
	Number string `json:"number"`
	Note   string `json:"note"`
}

// AllowNumber puts a number on the allow-list (platform administrators).
func (db *DB) AllowNumber(ctx context.Context, sc anxin.Scope, raw, note string) (AllowedNumber, error) {
	if !sc.All || !sc.Has(anxin.RoleAdmin) {
		return AllowedNumber{}, anxin.ErrorKey(anxin.EFORBIDDEN, "err.dial_admin_only", "Only the platform's administrators change the dial allow-list.")
	}
	d := dialDigits(raw)
	if len(strings.TrimPrefix(d, "+")) < 3 || len(d) > 20 {
		return AllowedNumber{}, anxin.ErrorKey(anxin.EINVALID, "err.dial_allow_number", "Give a number of 3 to 20 digits.")
	}
	note = strings.TrimSpace(note)
	if note == "" || utf8.RuneCountInString(note) > 200 {
		return AllowedNumber{}, anxin.ErrorKey(anxin.EINVALID, "err.dial_allow_note", "Say whose number it is (at most 200 characters).")
	}
	_, err := db.w.ExecContext(ctx, `INSERT INTO dial_allowlist (number, note, created_by, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (number) DO UPDATE SET note = excluded.note`, d, note, nullID(sc.AccountID), db.Now().UTC())
	if err != nil {
		return AllowedNumber{}, fmt.Errorf("allow number: %w", err)
	}
	return AllowedNumber{Number: d, Note: note}, nil
}

// DisallowNumber takes a number off the allow-list.
func (db *DB) DisallowNumber(ctx context.Context, sc anxin.Scope, raw string) error {
	if !sc.All || !sc.Has(anxin.RoleAdmin) {
		return anxin.ErrorKey(anxin.EFORBIDDEN, "err.dial_admin_only", "Only the platform's administrators change the dial allow-list.")
	}
	res, err := db.w.ExecContext(ctx, "DELETE FROM dial_allowlist WHERE number = $1", dialDigits(raw))
	if err != nil {
		return fmt.Errorf("disallow number: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return anxin.ErrorKey(anxin.ENOTFOUND, "err.dial_allow_missing", "%s is not on the allow-list.", raw)
	}
	return nil
}

// AllowedNumbers lists the allow-list.
func (db *DB) AllowedNumbers(ctx context.Context) ([]AllowedNumber, error) {
	rows, err := db.r.QueryContext(ctx, "SELECT number, note FROM dial_allowlist ORDER BY number LIMIT 1000")
	if err != nil {
		return nil, fmt.Errorf("allow-list: %w", err)
	}
	defer rows.Close()
	out := []AllowedNumber{}
	for rows.Next() {
		var a AllowedNumber
		if err := rows.Scan(&a.Number, &a.Note); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}
