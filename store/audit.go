package store

import (
	"context"
	"fmt"

	"github.com/anxin-care/anxin"
)

var _ anxin.AuditService = (*DB)(nil)

// RecordAudit appends an entry to the audit log.
func (db *DB) RecordAudit(ctx context.Context, e *anxin.AuditEntry) error {
	if e.At.IsZero() {
		e.At = db.Now()
	}
	var actor any
	if e.ActorID != 0 {
		actor = e.ActorID
	}
	err := db.w.QueryRowContext(ctx, `INSERT INTO audit_log (at, actor_id, actor_name, region, action, target_type, target_id, detail, reason, ip)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
		e.At.UTC(), actor, e.ActorName, e.Region, e.Action, e.TargetType, e.TargetID, e.Detail, e.Reason, e.IP).Scan(&e.ID)
	if err != nil {
		return mapError(fmt.Errorf("record audit %s: %w", e.Action, err))
	}
	return nil
}

// FindAudit lists audit entries newest first. Admins see entries made by
// accounts of organisations in their region subtree; only admins see any.
func (db *DB) FindAudit(ctx context.Context, sc anxin.Scope, f anxin.AuditFilter) ([]*anxin.AuditEntry, int, error) {
	if !sc.Has(anxin.RoleAdmin) {
		return nil, 0, errAdminOnly()
	}
	var w where
	switch {
	case sc.All:
	case sc.AssignedOnly:
		w.add("actor_id = ?", sc.AccountID)
	default:
		w.subtree("region", sc.Region)
	}
	if f.Action != "" {
		w.add("action = ?", f.Action)
	}
	if f.Actor != "" {
		w.add("actor_name = ?", f.Actor)
	}
	if !f.From.IsZero() {
		w.add("at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		w.add("at < ?", f.To.UTC())
	}
	var total int
	if err := db.r.QueryRowContext(ctx, "SELECT COUNT(*) FROM audit_log"+w.sql(), w.args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count audit: %w", err)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	rows, err := db.r.QueryContext(ctx, `SELECT id, at, COALESCE(actor_id, 0), actor_name, region, action, target_type, target_id, detail, reason, ip
		FROM audit_log`+w.sql()+" ORDER BY id DESC LIMIT "+w.arg(limit)+" OFFSET "+w.arg(max(f.Offset, 0)), w.args...)
	if err != nil {
		return nil, 0, fmt.Errorf("find audit: %w", err)
	}
	defer rows.Close()
	var out []*anxin.AuditEntry
	for rows.Next() {
		e := &anxin.AuditEntry{}
		if err := rows.Scan(&e.ID, &e.At, &e.ActorID, &e.ActorName, &e.Region, &e.Action, &e.TargetType, &e.TargetID, &e.Detail, &e.Reason, &e.IP); err != nil {
			return nil, 0, err
		}
		e.At = e.At.UTC()
		out = append(out, e)
	}
	return out, total, rows.Err()
}
