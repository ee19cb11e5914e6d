package anxin

import (
	"context"
	"strings"
)

// Region levels, from the top of China's administrative hierarchy down. The
// level of a region follows from the length of its official code.
const (
	LevelProvince  = 1 // 省 / 直辖市, 2-digit code
	LevelCity      = 2 // 市, 4-digit code
	LevelDistrict  = 3 // 区 / 县, 6-digit code
	LevelStreet    = 4 // 街道 / 镇 / 乡, 9-digit code
	LevelCommittee = 5 // 居委会 / 村委会, 12-digit code
)

// Region is one administrative division with its official code. Codes nest:
// a region's code starts with the code of each of its ancestors, so a region
// subtree is exactly the set of codes with a given prefix.
type Region struct {
	Code       string `json:"code"`
	Name       string `json:"name"`
	Level      int    `json:"level"`
	ParentCode string `json:"parent_code,omitempty"`
	// FullName joins the names from the province down, e.g.
	// "上海市 普陀区 曹杨新村街道".
	FullName string `json:"full_name"`
}

// RegionLevel returns the level implied by an official code, or 0 when the
// code is not 2, 4, 6, 9 or 12 decimal digits.
func RegionLevel(code string) int {
	for _, r := range code {
		if r < '0' || r > '9' {
			return 0
		}
	}
	switch len(code) {
	case 2:
		return LevelProvince
	case 4:
		return LevelCity
	case 6:
		return LevelDistrict
	case 9:
		return LevelStreet
	case 12:
		return LevelCommittee
	}
	return 0
}

// ParentRegionCode returns the code of the region one level up, or "" for a
// province or an invalid code.
func ParentRegionCode(code string) string {
	switch RegionLevel(code) {
	case LevelCity:
		return code[:2]
	case LevelDistrict:
		return code[:4]
	case LevelStreet:
		return code[:6]
	case LevelCommittee:
		return code[:9]
	}
	return ""
}

// RegionWithin reports whether code lies in the subtree rooted at root
// (a region is within itself).
func RegionWithin(code, root string) bool {
	return root != "" && strings.HasPrefix(code, root)
}

// RegionFilter selects regions for browsing and search.
type RegionFilter struct {
	Parent string // children of this code; "" with Query empty lists provinces
	Query  string // name or code fragment; searches all levels when set
	Within string // only codes in this subtree
	Limit  int
}

// RegionService reads and maintains the region hierarchy.
type RegionService interface {
	// FindRegion returns one region by code, or ENOTFOUND.
	FindRegion(ctx context.Context, code string) (*Region, error)
	// FindRegions lists regions by filter, ordered by code.
	FindRegions(ctx context.Context, f RegionFilter) ([]*Region, error)
	// UpsertRegions inserts regions or renames existing ones. Every region's
	// parent must exist already or come earlier in the slice (EINVALID).
	UpsertRegions(ctx context.Context, rs []*Region) (int, error)
}
