package anxin

import (
	"context"
	"time"
)

// Session is a signed-in browser. The cookie carries a random secret; the
// database keeps only its SHA-256 (ID), so a stolen database yields no
// usable cookie.
type Session struct {
	ID        string // hex SHA-256 of the cookie secret
	AccountID int64
	CSRF      string // per-session token every form must echo
	CreatedAt time.Time
	ExpiresAt time.Time
	IP        string
	UserAgent string
}

// APIToken is a bearer token for /api/v1/. The secret is shown once at
// creation; the database keeps its SHA-256 and a short prefix to recognise it.
type APIToken struct {
	ID         int64     `json:"id"`
	AccountID  int64     `json:"account_id"`
	Name       string    `json:"name"`
	Prefix     string    `json:"prefix"`
	Hash       string    `json:"-"`
	CreatedAt  time.Time `json:"created_at"`
	LastUsedAt time.Time `json:"last_used_at,omitzero"`
	RevokedAt  time.Time `json:"revoked_at,omitzero"`
}

// SessionService stores sessions and API tokens.
type SessionService interface {
	// CreateSession stores a new session.
	CreateSession(ctx context.Context, s *Session) error
	// FindSession returns an unexpired session by ID, or ENOTFOUND.
	FindSession(ctx context.Context, id string, now time.Time) (*Session, error)
	// DeleteSession removes a session (sign-out).
	DeleteSession(ctx context.Context, id string) error
	// DeleteAccountSessions removes all sessions of an account, e.g. after a
	// password reset or when it is disabled.
	DeleteAccountSessions(ctx context.Context, accountID int64) error
	// CreateToken stores a new API token (Hash set).
	CreateToken(ctx context.Context, t *APIToken) error
	// FindTokenByHash returns an unrevoked token, or ENOTFOUND.
	FindTokenByHash(ctx context.Context, hash string) (*APIToken, error)
	// FindTokens lists an account's tokens, newest first.
	FindTokens(ctx context.Context, accountID int64) ([]*APIToken, error)
	// RevokeToken revokes one of an account's tokens; ENOTFOUND.
	RevokeToken(ctx context.Context, accountID, id int64, at time.Time) error
	// TouchToken records the token's last use.
	TouchToken(ctx context.Context, id int64, at time.Time) error
}
