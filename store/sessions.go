package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/anxin-care/anxin"
)

var _ anxin.SessionService = (*DB)(nil)

// CreateSession stores a new session.
func (db *DB) CreateSession(ctx context.Context, s *anxin.Session) error {
	_, err := db.w.ExecContext(ctx, `INSERT INTO sessions (id, account_id, csrf, created_at, expires_at, ip, user_agent)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, s.ID, s.AccountID, s.CSRF, s.CreatedAt.UTC(), s.ExpiresAt.UTC(), s.IP, s.UserAgent)
	if err != nil {
		return mapError(fmt.Errorf("create session: %w", err))
	}
	return nil
}

// FindSession returns an unexpired session, or ENOTFOUND.
func (db *DB) FindSession(ctx context.Context, id string, now time.Time) (*anxin.Session, error) {
	s := &anxin.Session{}
	err := db.r.QueryRowContext(ctx, `SELECT id, account_id, csrf, created_at, expires_at, ip, user_agent
		FROM sessions WHERE id = $1 AND expires_at > $2`, id, now.UTC()).
		Scan(&s.ID, &s.AccountID, &s.CSRF, &s.CreatedAt, &s.ExpiresAt, &s.IP, &s.UserAgent)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, anxin.Errorf(anxin.ENOTFOUND, "session not found or expired")
	} else if err != nil {
		return nil, fmt.Errorf("find session: %w", err)
	}
	return s, nil
}

// DeleteSession removes a session.
func (db *DB) DeleteSession(ctx context.Context, id string) error {
	_, err := db.w.ExecContext(ctx, "DELETE FROM sessions WHERE id = $1", id)
	return mapError(err)
}

// DeleteAccountSessions removes every session of an account.
func (db *DB) DeleteAccountSessions(ctx context.Context, accountID int64) error {
	_, err := db.w.ExecContext(ctx, "DELETE FROM sessions WHERE account_id = $1", accountID)
	return mapError(err)
}

// DeleteExpiredSessions removes sessions that expired before now and
// returns how many.
func (db *DB) DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error) {
	res, err := db.w.ExecContext(ctx, "DELETE FROM sessions WHERE expires_at <= $1", now.UTC())
	if err != nil {
		return 0, mapError(err)
	}
	return res.RowsAffected()
}

// CreateToken stores a new API token.
func (db *DB) CreateToken(ctx context.Context, t *anxin.APIToken) error {
	err := db.w.QueryRowContext(ctx, `INSERT INTO api_tokens (account_id, name, prefix, hash, created_at)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`, t.AccountID, t.Name, t.Prefix, t.Hash, t.CreatedAt.UTC()).Scan(&t.ID)
	return mapError(err)
}

const tokenCols = "id, account_id, name, prefix, hash, created_at, last_used_at, revoked_at"

func scanToken(s interface{ Scan(...any) error }) (*anxin.APIToken, error) {
	t := &anxin.APIToken{}
	var used, revoked sql.NullTime
	if err := s.Scan(&t.ID, &t.AccountID, &t.Name, &t.Prefix, &t.Hash, &t.CreatedAt, &used, &revoked); err != nil {
		return nil, err
	}
	t.LastUsedAt, t.RevokedAt = timeOf(used), timeOf(revoked)
	return t, nil
}

// FindTokenByHash returns an unrevoked token, or ENOTFOUND.
func (db *DB) FindTokenByHash(ctx context.Context, hash string) (*anxin.APIToken, error) {
	t, err := scanToken(db.r.QueryRowContext(ctx, "SELECT "+tokenCols+" FROM api_tokens WHERE hash = $1 AND revoked_at IS NULL", hash))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, anxin.Errorf(anxin.ENOTFOUND, "token not found or revoked")
	} else if err != nil {
		return nil, fmt.Errorf("find token: %w", err)
	}
	return t, nil
}

// FindTokens lists an account's tokens, newest first.
func (db *DB) FindTokens(ctx context.Context, accountID int64) ([]*anxin.APIToken, error) {
	rows, err := db.r.QueryContext(ctx, "SELECT "+tokenCols+" FROM api_tokens WHERE account_id = $1 ORDER BY id DESC", accountID)
	if err != nil {
		return nil, fmt.Errorf("find tokens: %w", err)
	}
	defer rows.Close()
	var out []*anxin.APIToken
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeToken revokes one of an account's tokens, or answers ENOTFOUND.
func (db *DB) RevokeToken(ctx context.Context, accountID, id int64, at time.Time) error {
	res, err := db.w.ExecContext(ctx, "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND account_id = $3 AND revoked_at IS NULL", at.UTC(), id, accountID)
	if err != nil {
		return mapError(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return anxin.ErrorKey(anxin.ENOTFOUND, "err.token_not_found", "Token %d not found.", id)
	}
	return nil
}

// TouchToken records when a token was last used.
func (db *DB) TouchToken(ctx context.Context, id int64, at time.Time) error {
	_, err := db.w.ExecContext(ctx, "UPDATE api_tokens SET last_used_at = $1 WHERE id = $2", at.UTC(), id)
	return mapError(err)
}
