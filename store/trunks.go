package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"github.com/anxin-care/anxin"
)

var _ anxin.TrunkService = (*DB)(nil)

func errTelephonyAdmin() error {
	return anxin.ErrorKey(anxin.EFORBIDDEN, "err.telephony_admin_only", "Only the platform's administrators change trunks and hotline numbers.")
}

// SaveTrunk creates a trunk (ID 0) or replaces one (platform
// administrators). An empty password keeps the stored one.
func (db *DB) SaveTrunk(ctx context.Context, sc anxin.Scope, t *anxin.Trunk) error {
	if !sc.All || !sc.Has(anxin.RoleAdmin) {
		return errTelephonyAdmin()
	}
	if t.ID != 0 && t.Password == "" {
		var pw string
		if err := db.r.QueryRowContext(ctx, "SELECT password FROM trunks WHERE id = $1", t.ID).Scan(&pw); err == nil {
			t.Password = pw
		}
	}
	if err := t.Validate(); err != nil {
		return err
	}
	peers := make([]string, len(t.Peers))
	for i, p := range t.Peers {
		peers[i] = p.String()
	}
	args := []any{t.Name, t.Kind, strings.Join(peers, ","), t.Host, t.Username, t.Password, t.CallerID, t.MaxChannels, t.Priority, t.Enabled}
	if t.ID == 0 {
		err := db.w.QueryRowContext(ctx, `INSERT INTO trunks (name, kind, peers, host, username, password, caller_id, max_channels,
			priority, enabled) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`, args...).Scan(&t.ID)
		return mapError(err)
	}
	res, err := db.w.ExecContext(ctx, `UPDATE trunks SET name = $1, kind = $2, peers = $3, host = $4, username = $5, password = $6,
		caller_id = $7, max_channels = $8, priority = $9, enabled = $10 WHERE id = $11`, append(args, t.ID)...)
	if err != nil {
		return mapError(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return anxin.ErrorKey(anxin.ENOTFOUND, "err.trunk_not_found", "Trunk %d not found.", t.ID)
	}
	return nil
}

// Trunks lists the trunks by priority, with their passwords (for the
// telephony layer; the API leaves them out).
func (db *DB) Trunks(ctx context.Context) ([]*anxin.Trunk, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT id, name, kind, peers, host, username, password, caller_id, max_channels, priority, enabled
		FROM trunks ORDER BY priority, id`)
	if err != nil {
		return nil, fmt.Errorf("trunks: %w", err)
	}
	defer rows.Close()
	var out []*anxin.Trunk
	for rows.Next() {
		t := &anxin.Trunk{}
		var peers string
		if err := rows.Scan(&t.ID, &t.Name, &t.Kind, &peers, &t.Host, &t.Username, &t.Password, &t.CallerID, &t.MaxChannels,
			&t.Priority, &t.Enabled); err != nil {
			return nil, err
		}
		t.Peers = []netip.Prefix{}
		for _, s := range strings.Split(peers, ",") {
			if p, err := netip.ParsePrefix(strings.TrimSpace(s)); err == nil {
				t.Peers = append(t.Peers, p)
			}
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// Trunk returns one trunk with its password (for the telephony layer and
// edits; the API leaves it out), or ENOTFOUND.
func (db *DB) Trunk(ctx context.Context, id int64) (*anxin.Trunk, error) {
	trunks, err := db.Trunks(ctx)
	if err != nil {
		return nil, err
	}
	for _, t := range trunks {
		if t.ID == id {
			return t, nil
		}
	}
	return nil, anxin.ErrorKey(anxin.ENOTFOUND, "err.trunk_not_found", "Trunk %d not found.", id)
}

// DID returns the inbound number exactly as configured, or ENOTFOUND.
func (db *DB) DID(ctx context.Context, number string) (*anxin.DID, error) {
	d := &anxin.DID{}
	err := db.r.QueryRowContext(ctx, "SELECT number, flow, region_code, name FROM dids WHERE number = $1", number).
		Scan(&d.Number, &d.Flow, &d.RegionCode, &d.Name)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, anxin.ErrorKey(anxin.ENOTFOUND, "err.did_not_found", "No hotline number %s.", number)
	} else if err != nil {
		return nil, fmt.Errorf("hotline number %s: %w", number, err)
	}
	return d, nil
}

// SaveDID creates or replaces an inbound number's route (platform
// administrators).
func (db *DB) SaveDID(ctx context.Context, sc anxin.Scope, d *anxin.DID) error {
	if !sc.All || !sc.Has(anxin.RoleAdmin) {
		return errTelephonyAdmin()
	}
	if err := d.Validate(); err != nil {
		return err
	}
	return db.Transact(ctx, func(tx *Tx) error {
		if err := tx.regionExists(ctx, d.RegionCode); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO dids (number, flow, region_code, name) VALUES ($1, $2, $3, $4)
			ON CONFLICT (number) DO UPDATE SET flow = excluded.flow, region_code = excluded.region_code, name = excluded.name`,
			d.Number, d.Flow, d.RegionCode, d.Name)
		return err
	})
}

// DIDs lists the inbound numbers.
func (db *DB) DIDs(ctx context.Context) ([]*anxin.DID, error) {
	rows, err := db.r.QueryContext(ctx, "SELECT number, flow, region_code, name FROM dids ORDER BY number")
	if err != nil {
		return nil, fmt.Errorf("dids: %w", err)
	}
	defer rows.Close()
	var out []*anxin.DID
	for rows.Next() {
		d := &anxin.DID{}
		if err := rows.Scan(&d.Number, &d.Flow, &d.RegionCode, &d.Name); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// RouteDID returns where a dialled number goes: the number as configured,
// or with a leading + or country code 86 dropped.
func (db *DB) RouteDID(ctx context.Context, number string) (*anxin.DID, error) {
	cands := []string{number}
	n := strings.TrimPrefix(number, "+")
	if strings.HasPrefix(n, "86") && len(n) > 2 {
		cands = append(cands, n, n[2:])
	}
	var w where
	whereIn(&w, "number", cands)
	d := &anxin.DID{}
	err := db.r.QueryRowContext(ctx, "SELECT number, flow, region_code, name FROM dids"+w.sql()+" ORDER BY length(number) DESC LIMIT 1", w.args...).
		Scan(&d.Number, &d.Flow, &d.RegionCode, &d.Name)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, anxin.ErrorKey(anxin.ENOTFOUND, "err.did_not_found", "No hotline number %s.", number)
	} else if err != nil {
		return nil, fmt.Errorf("route %s: %w", number, err)
	}
	return d, nil
}
