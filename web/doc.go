// Package web serves Anxin's web console (server-rendered html/template
// pages, Simplified Chinese by default, English per account) and its JSON API
// under /api/v1/, plus /healthz, /readyz and /metrics.
//
// Handlers return errors; one adapter renders them as an HTML page or a JSON
// body with the status of the error's code. Access is decided by the
// anxin.Scope of the signed-in account, which every store call receives.
// The package must not know SQL or telephony; it talks to the store through
// its methods only.
package web
