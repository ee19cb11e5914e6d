package store

import (
	"context"
	"fmt"
	"time"

	"github.com/anxin-care/anxin"
)

// SetTrunkStatus records a trunk's status on a node (the node's trunk
// monitor writes it). Since moves only when the state changes; detail and
// updated_at always do.
func (db *DB) SetTrunkStatus(ctx context.Context, s *anxin.TrunkStatus) error {
	if s.UpdatedAt.IsZero() {
		s.UpdatedAt = time.Now()
	}
	if s.Since.IsZero() {
		s.Since = s.UpdatedAt
	}
	_, err := db.w.ExecContext(ctx, `INSERT INTO trunk_status (trunk_id, node, state, since, detail, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (trunk_id, node) DO UPDATE SET state = excluded.state, detail = excluded.detail, updated_at = excluded.updated_at,
			since = CASE WHEN trunk_status.state = excluded.state THEN trunk_status.since ELSE excluded.since END`,
		s.TrunkID, s.Node, s.State, s.Since.UTC(), s.Detail, s.UpdatedAt.UTC())
	if err != nil {
		return fmt.Errorf("trunk %d status on %s: %w", s.TrunkID, s.Node, mapError(err))
	}
	return nil
}

// TrunkStatuses lists the trunks' statuses on every node (node "") or on
// one, by trunk then node, each with the node's calls in progress through
// the trunk.
func (db *DB) TrunkStatuses(ctx context.Context, node string) ([]*anxin.TrunkStatus, error) {
	var w where
	if node != "" {
		w.add("s.node = ?", node)
	}
	rows, err := db.r.QueryContext(ctx, `SELECT s.trunk_id, s.node, s.state, s.since, s.detail, s.updated_at, t.name
		FROM trunk_status s JOIN trunks t ON t.id = s.trunk_id`+w.sql()+` ORDER BY t.priority, s.trunk_id, s.node`, w.args...)
	if err != nil {
		return nil, fmt.Errorf("trunk statuses: %w", err)
	}
	defer rows.Close()
	var out []*anxin.TrunkStatus
	names := map[*anxin.TrunkStatus]string{}
	for rows.Next() {
		s := &anxin.TrunkStatus{}
		var name string
		if err := rows.Scan(&s.TrunkID, &s.Node, &s.State, &s.Since, &s.Detail, &s.UpdatedAt, &name); err != nil {
			return nil, err
		}
		s.Since, s.UpdatedAt = s.Since.UTC(), s.UpdatedAt.UTC()
		names[s] = name
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	calls, err := db.openTrunkCalls(ctx, node)
	if err != nil {
		return nil, err
	}
	for _, s := range out {
		s.Calls = calls[[2]string{s.Node, names[s]}]
	}
	return out, nil
}

// openTrunkCalls counts the open call legs per node and trunk name, on
// every node or one.
func (db *DB) openTrunkCalls(ctx context.Context, node string) (map[[2]string]int, error) {
	var w where
	w.add("ended_at IS NULL")
	w.add("trunk <> ''")
	if node != "" {
		w.add("node = ?", node)
	}
	rows, err := db.r.QueryContext(ctx, "SELECT node, trunk, count(*) FROM calls"+w.sql()+" GROUP BY node, trunk", w.args...)
	if err != nil {
		return nil, fmt.Errorf("calls in progress per trunk: %w", err)
	}
	defer rows.Close()
	out := map[[2]string]int{}
	for rows.Next() {
		var n, t string
		var c int
		if err := rows.Scan(&n, &t, &c); err != nil {
			return nil, err
		}
		out[[2]string{n, t}] = c
	}
	return out, rows.Err()
}

// OpenTrunkCalls counts node's calls in progress through a trunk (its
// open call legs naming it), leaving out the leg `before` and every leg
// opened after it (0: counts them all), so that two calls starting
// together do not each count the other.
func (db *DB) OpenTrunkCalls(ctx context.Context, node, trunk string, before int64) (int, error) {
	var w where
	w.add("ended_at IS NULL")
	w.add("node = ?", node)
	w.add("trunk = ?", trunk)
	if before != 0 {
		w.add("id < ?", before)
	}
	var n int
	if err := db.r.QueryRowContext(ctx, "SELECT count(*) FROM calls"+w.sql(), w.args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("calls in progress on trunk %s: %w", trunk, err)
	}
	return n, nil
}

// SetCallTrunk moves a leg that has not come up to another trunk, with
// that trunk's callback number as the number shown (failover).
func (db *DB) SetCallTrunk(ctx context.Context, id int64, trunk, fromNumber string) error {
	return db.updateCall(ctx, id, "UPDATE calls SET trunk = $1, from_number = $2 WHERE id = $3 AND ended_at IS NULL", trunk, fromNumber, id)
}
