package anxin

import (
	"context"
	"time"
)

// Alarm severities.
const (
	// AlarmWarning is a condition that degrades the service: calls go on,
	// something is lost (recordings) or at risk.
	AlarmWarning = "warning"
	// AlarmCritical is a condition that stops part of the service (no
	// trunk: no calls).
	AlarmCritical = "critical"
)

// Alarm is a system condition an administrator must see and act on: the
// recording disk full, a trunk down. An alarm is raised by the node that
// finds the condition and cleared by it when the condition ends; it is
// active until then. Cleared alarms are the history.
type Alarm struct {
	ID int64 `json:"id"`
	// Key names the condition, "package.condition": "recordings.disk_full".
	Key string `json:"key"`
	// Node is the machine that raised it (its host name), "" for the whole
	// platform.
	Node     string `json:"node"`
	Severity string `json:"severity"`
	// Message is the key of the alarm's text in the console's messages,
	// Args the strings its verbs take, so each reader sees it in their own
	// language.
	Message   string    `json:"message"`
	Args      []string  `json:"args"`
	RaisedAt  time.Time `json:"raised_at"`
	ClearedAt time.Time `json:"cleared_at,omitzero"`
}

// Active reports whether the alarm has not been cleared.
func (a *Alarm) Active() bool { return a.ClearedAt.IsZero() }

// Validate checks an alarm before it is raised.
func (a *Alarm) Validate() error {
	switch {
	case a.Key == "" || len(a.Key) > 100:
		return Errorf(EINVALID, "An alarm needs a key of at most 100 characters.")
	case a.Severity != AlarmWarning && a.Severity != AlarmCritical:
		return Errorf(EINVALID, "Alarm severity %q is neither warning nor critical.", a.Severity)
	case a.Message == "":
		return Errorf(EINVALID, "Alarm %s needs a message key.", a.Key)
	}
	return nil
}

// SeesAlarms reports whether the scope may see the system's alarms:
// administrators and supervisors of the platform or of a city-level (or
// wider) hotline. A district or a street has no say over the machines.
func (s Scope) SeesAlarms() bool {
	if !s.Has(RoleAdmin) && !s.Has(RoleSupervisor) {
		return false
	}
	if s.All {
		return true
	}
	return !s.AssignedOnly && s.Region != "" && RegionLevel(s.Region) <= LevelCity
}

// AlarmFilter selects alarms in a list.
type AlarmFilter struct {
	// ActiveOnly leaves out the cleared ones.
	ActiveOnly    bool
	Offset, Limit int
}

// AlarmService keeps the system's alarms.
type AlarmService interface {
	// RaiseAlarm raises a.Key on a.Node, or when it is already active
	// updates its severity, message and arguments and keeps when it was
	// first raised; ID and RaisedAt are set from the active alarm. It
	// reports whether the alarm was not active before.
	RaiseAlarm(ctx context.Context, a *Alarm) (raised bool, err error)
	// ClearAlarm clears the active alarm key of node, if any, and reports
	// whether there was one.
	ClearAlarm(ctx context.Context, key, node string, at time.Time) (bool, error)
	// ActiveAlarms lists the active alarms, the critical first, then the
	// newest; EFORBIDDEN unless the scope SeesAlarms.
	ActiveAlarms(ctx context.Context, sc Scope) ([]*Alarm, error)
	// FindAlarms lists alarms, the newest raised first, with the total;
	// EFORBIDDEN unless the scope SeesAlarms.
	FindAlarms(ctx context.Context, sc Scope, f AlarmFilter) ([]*Alarm, int, error)
}
