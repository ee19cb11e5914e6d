// Package roster reads the elder rosters that street offices and residents'
// committees keep in Excel: XLSX workbooks and CSV exports, hand-typed and in
// many layouts (a merged title above the header, notes on a cover sheet,
// committees merged down over several rows, GBK-encoded CSV...).
//
// Read finds the header row, maps the columns it recognises to Fields, and
// returns one Record per data row with cleaned cell text. ParseDate reads the
// many ways a birth date is written, Excel serial numbers included.
//
// The package only reads. It does not validate ID numbers, phone numbers or
// regions, and it knows nothing of the database: other packages turn Records
// into anxin.Elders.
package roster
