// Package store keeps Anxin's data in SQL: the embedded SQLite database (pure
// Go, modernc) for a single machine, or PostgreSQL (pgx) for larger and
// multi-node deployments. The same portable SQL serves both; the few
// differences live in migrations per engine and in small named methods.
//
// It implements the service interfaces of package anxin and applies the
// caller's anxin.Scope in every query. It must not know about HTTP, templates
// or telephony.
package store
