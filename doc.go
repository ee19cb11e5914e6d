// Package anxin holds the domain of Anxin, the elder-care hotline and service
// platform: regions, organisations, accounts, scope and audit, with their
// validation and the interfaces of the services that store and serve them.
//
// It imports nothing from the rest of the module and knows nothing of SQL,
// HTTP, SIP or spreadsheets; the packages that do (store, web, ...) depend on
// it, never the other way round.
package anxin
