package registry

import (
	"context"
	"strings"

	"github.com/anxin-care/anxin"
)

// RegionFinder is the part of the store that resolves committees.
type RegionFinder interface {
	FindRegion(ctx context.Context, code string) (*anxin.Region, error)
	FindRegionsNamed(ctx context.Context, level int, names []string, within string) ([]*anxin.Region, error)
}

// committeeIndex finds a committee's region code from the names a roster
// writes: "源园居委会", "源园", "源园居民委员会", "源园社区" all name the same
// committee; a street column, and the importing account's area, narrow the
// search when names repeat across the country. Lookups are cached per name,
// so a roster costs one search per distinct committee.
type committeeIndex struct {
	ctx     context.Context
	rf      RegionFinder
	within  string // prefer committees in this subtree ("" for anywhere)
	byName  map[string][]*anxin.Region
	streets map[string]string // street code → normalised street name
}

// committeeSuffixes are stripped, longest first, to compare names.
var committeeSuffixes = []string{"社区居民委员会", "居民委员会", "村民委员会", "社区居委会", "居委会", "村委会", "居委", "社区", "村"}

var streetSuffixes = []string{"街道办事处", "街道", "镇", "乡"}

func stripSuffix(s string, suffixes []string) string {
	s = strings.ReplaceAll(strings.TrimSpace(s), " ", "")
	for _, suf := range suffixes {
		if t, ok := strings.CutSuffix(s, suf); ok && t != "" {
			return t
		}
	}
	return s
}

func newCommitteeIndex(ctx context.Context, rf RegionFinder, within string) *committeeIndex {
	return &committeeIndex{ctx: ctx, rf: rf, within: within, byName: map[string][]*anxin.Region{}, streets: map[string]string{}}
}

// candidates returns the committees whose name, without its suffix, is key.
func (ix *committeeIndex) candidates(key string) ([]*anxin.Region, error) {
	if cs, ok := ix.byName[key]; ok {
		return cs, nil
	}
	names := []string{key}
	for _, suf := range committeeSuffixes {
		names = append(names, key+suf)
	}
	found, err := ix.rf.FindRegionsNamed(ix.ctx, anxin.LevelCommittee, names, ix.withinCity())
	if err != nil {
		return nil, err
	}
	var cs []*anxin.Region
	for _, r := range found {
		if stripSuffix(r.Name, committeeSuffixes) == key {
			cs = append(cs, r)
		}
	}
	ix.byName[key] = cs
	return cs, nil
}

// withinCity widens the account's area to its city, so that a committee
// just outside the area is told apart from one that does not exist.
func (ix *committeeIndex) withinCity() string {
	if len(ix.within) >= 4 {
		return ix.within[:4]
	}
	return ix.within
}

func (ix *committeeIndex) streetName(code string) string {
	if n, ok := ix.streets[code]; ok {
		return n
	}
	n := ""
	if r, err := ix.rf.FindRegion(ix.ctx, code); err == nil {
		n = stripSuffix(r.Name, streetSuffixes)
	}
	ix.streets[code] = n
	return n
}

// find resolves a committee (a name or a 12-digit code) and an optional
// street name to one committee in the area, or gives the reason it cannot.
func (ix *committeeIndex) find(committee, street string) (*anxin.Region, string, error) {
	committee = strings.TrimSpace(committee)
	if committee == "" {
		return nil, ReasonRequired, nil
	}
	var cands []*anxin.Region
	if anxin.RegionLevel(committee) == anxin.LevelCommittee {
		r, err := ix.rf.FindRegion(ix.ctx, committee)
		if anxin.ErrorCode(err) == anxin.ENOTFOUND {
			return nil, ReasonUnknownRegion, nil
		} else if err != nil {
			return nil, "", err
		}
		cands = []*anxin.Region{r}
	} else {
		var err error
		if cands, err = ix.candidates(stripSuffix(committee, committeeSuffixes)); err != nil {
			return nil, "", err
		}
	}
	if street != "" && len(cands) > 1 {
		want := stripSuffix(street, streetSuffixes)
		var kept []*anxin.Region
		for _, c := range cands {
			if ix.streetName(c.ParentCode) == want {
				kept = append(kept, c)
			}
		}
		cands = kept
	}
	if len(cands) == 0 {
		return nil, ReasonUnknownRegion, nil
	}
	var inside []*anxin.Region
	for _, c := range cands {
		if ix.within == "" || anxin.RegionWithin(c.Code, ix.within) {
			inside = append(inside, c)
		}
	}
	switch len(inside) {
	case 0:
		return nil, ReasonOutsideScope, nil
	case 1:
		return inside[0], "", nil
	}
	return nil, ReasonAmbiguousRegion, nil
}
