// Package gen makes realistic synthetic elders for demos, tests and
// benchmarks: Chinese names weighted by how common they are among people
// born 1920–1966, ages skewed as in Shanghai's registers of older people,
// valid resident ID numbers, telephone numbers in canonical form, addresses
// in the committee's neighbourhood, tags, dialects, consents and emergency
// contacts in plausible shares.
//
// A Generator is deterministic: the same seed and the same calls give the
// same elders, so a benchmark dataset can be made again. Generate writes
// elders through the store in large transactions, fast enough for a
// million.
//
// The people are invented. Their ID numbers are valid in form and unique
// within a run, and may by chance belong to a real person, as may their
// telephone numbers: never load generated data where calls are placed to
// the real network. The package knows nothing of HTTP or telephony.
package gen
