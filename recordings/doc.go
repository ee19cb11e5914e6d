// Package recordings keeps the call recordings on disk: where a new one
// goes (DIR/YYYY/MM/DD/call-ID.wav, the day in UTC), whether there is room
// for it, and how long it is kept.
//
// A Store refuses to start a recording when the file system holding the
// directory has less free space than a minimum, and raises the alarm
// "recordings.disk_full": calls go on unrecorded rather than fill the disk
// that also holds the database. Run checks the space every minute (raising
// and clearing the alarm) and sweeps every day: recordings older than the
// retention period are deleted, and their call records keep the call but
// say the recording was purged (PIPL: recordings are sensitive personal
// information, kept only as long as needed).
//
// Several nodes may share the directory or each keep their own; sweeping
// is safe either way. The package knows files, the file system and the
// store's call records and alarms; it knows nothing of SIP or RTP: the
// caller writes the file it is given (rtp.Leg.Record).
package recordings
