// Package registry prepares elders for the store: it turns what people type
// or what a roster holds into canonical values (phone numbers with the
// right area code, resident ID numbers checked against birth date and
// gender) and says precisely which field is wrong and why. It also runs
// roster imports: read, check every row, preview, then write the valid rows
// in one transaction.
//
// It knows nothing of HTTP or of how the store keeps its data.
package registry
