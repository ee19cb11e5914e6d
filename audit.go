package anxin

import (
	"context"
	"time"
)

// Audit actions. The log is append-only: nothing in Anxin edits or deletes
// an entry, and the database refuses to.
const (
	AuditSignIn         = "signin"
	AuditSignInFailed   = "signin.failed"
	AuditSignOut        = "signout"
	AuditPasswordChange = "password.change"
	AuditPasswordReset  = "password.reset"
	AuditAccountCreate  = "account.create"
	AuditAccountUpdate  = "account.update"
	AuditOrgCreate      = "org.create"
	AuditOrgUpdate      = "org.update"
	AuditTokenCreate    = "token.create"
	AuditTokenRevoke    = "token.revoke"
	AuditReveal         = "reveal"
	AuditExport         = "export"
	AuditPlayback       = "recording.play"
	AuditRegionsImport  = "regions.import"
	AuditVocabCreate    = "vocab.create"
	AuditVocabUpdate    = "vocab.update"
	AuditVocabDelete    = "vocab.delete"
	AuditCalendarUpdate = "calendar.update"
	AuditCategoryUpdate = "category.update"
	AuditSLAUpdate      = "sla.update"
	AuditSLAReset       = "sla.reset"
	AuditDialAllow      = "dial.allow"
	AuditDialDisallow   = "dial.disallow"
)

// AuditEntry is one line of the audit log: who did what, when, from where,
// and why when a reason was asked for.
type AuditEntry struct {
	ID         int64     `json:"id"`
	At         time.Time `json:"at"`
	ActorID    int64     `json:"actor_id,omitempty"`
	ActorName  string    `json:"actor"`
	Region     string    `json:"region,omitempty"` // region of the actor's organisation, for scoping
	Action     string    `json:"action"`
	TargetType string    `json:"target_type,omitempty"`
	TargetID   string    `json:"target_id,omitempty"`
	Detail     string    `json:"detail,omitempty"`
	Reason     string    `json:"reason,omitempty"`
	IP         string    `json:"ip,omitempty"`
}

// AuditFilter selects audit entries. Scope is always applied.
type AuditFilter struct {
	Action        string
	Actor         string
	From, To      time.Time
	Offset, Limit int
}

// AuditService appends to and reads the audit log.
type AuditService interface {
	// RecordAudit appends an entry; At defaults to now.
	RecordAudit(ctx context.Context, e *AuditEntry) error
	// FindAudit lists entries in scope, newest first, and the total count.
	FindAudit(ctx context.Context, sc Scope, f AuditFilter) ([]*AuditEntry, int, error)
}
