package anxin

import (
	"errors"
	"fmt"
)

// Error codes. Each maps to one HTTP status in the web package and to one
// kind of message for the user. Only EINTERNAL errors are logged in full.
const (
	ECONFLICT     = "conflict"     // the action conflicts with the current state (409)
	EFORBIDDEN    = "forbidden"    // signed in, but not allowed to do this (403)
	EINTERNAL     = "internal"     // a bug or an outage; the cause is logged (500)
	EINVALID      = "invalid"      // the input is wrong; the message says how (400)
	ENOTFOUND     = "not_found"    // no such thing, or not in the caller's scope (404)
	EUNAUTHORIZED = "unauthorized" // not signed in, or bad credentials (401)
	ELOCKED       = "locked"       // temporarily locked after repeated failures (429)
	EUNAVAILABLE  = "unavailable"  // storage full or database unreachable (503)
)

// Error is Anxin's application error. Code is one of the E* constants;
// Message is a short English sentence for logs and API clients; Key, when set,
// names a translated message for the user's language with Args filling it in.
type Error struct {
	Code    string
	Message string
	Key     string
	Args    []any
}

// Error implements the error interface.
func (e *Error) Error() string {
	return fmt.Sprintf("anxin error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted English message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorKey returns an *Error with a code, an English message and a translation
// key for the user interface.
func ErrorKey(code, key, message string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(message, args...), Key: key, Args: args}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for
// any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message of the first *Error in err's chain, or a
// generic message for internal errors, which must not leak details to users.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}
