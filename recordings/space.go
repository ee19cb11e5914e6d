package recordings

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Defaults of the settings, as anxin serve's flags give them.
const (
	// DefaultRetention is how long recordings are kept: 180 days, long
	// enough for a complaint, a disputed order or a quality review to come
	// back to a call, short enough to keep little personal data.
	DefaultRetention = 180 * 24 * time.Hour
	// DefaultMinFree is the free space below which no recording starts:
	// 2 GiB, room for the database beside the recordings to grow, take its
	// write-ahead log and be vacuumed.
	DefaultMinFree = "2GiB"
)

// ErrUnsupported reports that free space cannot be measured on this system;
// recordings then start without the check.
var ErrUnsupported = errors.New("recordings: free space cannot be measured on this system")

// Space is what a file system has: bytes available to Anxin (not counting
// the blocks reserved for root) and its size, and the same for inodes
// (zero when it does not count them).
type Space struct {
	Free, Total           uint64
	FreeFiles, TotalFiles uint64
}

// MinFree is the least free space recordings leave: Bytes, or Percent of
// the file system. The zero MinFree is no minimum.
type MinFree struct {
	Bytes   uint64
	Percent float64
}

// ParseMinFree reads a minimum: "5%", or bytes with an optional unit
// ("2GiB", "500MiB", "1GB", "1048576"); "0" is no minimum.
func ParseMinFree(s string) (MinFree, error) {
	s = strings.TrimSpace(s)
	if p, ok := strings.CutSuffix(s, "%"); ok {
		v, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || v < 0 || v >= 100 || math.IsNaN(v) {
			return MinFree{}, fmt.Errorf("minimum free space %q: a percentage is between 0%% and 100%%", s)
		}
		return MinFree{Percent: v}, nil
	}
	b, err := parseBytes(s)
	if err != nil {
		return MinFree{}, fmt.Errorf("minimum free space %q: %w", s, err)
	}
	return MinFree{Bytes: b}, nil
}

var byteUnits = []struct {
	suffix string
	size   float64
}{
	{"KIB", 1 << 10}, {"MIB", 1 << 20}, {"GIB", 1 << 30}, {"TIB", 1 << 40},
	{"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12},
	{"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}, {"T", 1 << 40}, {"B", 1},
}

func parseBytes(s string) (uint64, error) {
	num, mult := strings.ToUpper(s), 1.0
	for _, u := range byteUnits {
		if n, ok := strings.CutSuffix(num, u.suffix); ok {
			num, mult = strings.TrimSpace(n), u.size
			break
		}
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || v < 0 || math.IsNaN(v) || v*mult > math.MaxInt64 {
		return 0, errors.New(`write bytes with an optional unit ("2GiB", "500MB") or a percentage ("5%")`)
	}
	return uint64(v * mult), nil
}

// Need returns how many bytes must stay free on a file system of sp.
func (m MinFree) Need(sp Space) uint64 {
	return max(m.Bytes, uint64(m.Percent/100*float64(sp.Total)))
}

// Below reports whether sp has less free space than the minimum, or no
// free inode left.
func (m MinFree) Below(sp Space) bool {
	return sp.Free < m.Need(sp) || (sp.TotalFiles > 0 && sp.FreeFiles == 0)
}

// clearAt returns the free space at which an alarm raised for being below
// the minimum clears: a tenth above it, so that a disk hovering at the
// minimum does not raise and clear the alarm every minute.
func (m MinFree) clearAt(sp Space) uint64 {
	n := m.Need(sp)
	return n + n/10
}

// String returns the minimum as ParseMinFree reads it.
func (m MinFree) String() string {
	if m.Percent > 0 {
		return strconv.FormatFloat(m.Percent, 'f', -1, 64) + "%"
	}
	return formatBytes(m.Bytes)
}

// formatBytes writes a size for people: "1.5 GiB".
func formatBytes(b uint64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB"}
	v, i := float64(b), 0
	for v >= 1024 && i < len(units)-1 {
		v /= 1024
		i++
	}
	if i == 0 {
		return fmt.Sprintf("%d B", b)
	}
	return strconv.FormatFloat(v, 'f', 1, 64) + " " + units[i]
}

// ParseRetention reads a retention period: days ("180d"), or a Go
// duration ("720h"); "0" keeps recordings forever.
func ParseRetention(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "0" {
		return 0, nil
	}
	if d, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(d)
		if err != nil || n < 0 || n > 100*366 {
			return 0, fmt.Errorf("recording retention %q: write whole days (\"180d\") or 0 to keep recordings forever", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("recording retention %q: write days (\"180d\"), a duration (\"720h\") or 0 to keep recordings forever", s)
	}
	return d, nil
}
