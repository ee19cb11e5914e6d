package web

import (
	"net/url"
	"strings"
)

// queryFields are a search's parameters in order, as name/value pairs; the
// audit log and the elder registry describe their filters with them.
type queryFields [][2]string

// values encodes the filter for links, leaving out what is empty.
func (f queryFields) values() url.Values {
	v := url.Values{}
	for _, kv := range f {
		if kv[1] != "" {
			v.Set(kv[0], kv[1])
		}
	}
	return v
}

// describe says in an export's audit entry what the filter was; none when
// nothing was set.
func (f queryFields) describe(none string) string {
	var parts []string
	for _, kv := range f {
		if kv[1] != "" {
			parts = append(parts, kv[0]+"="+kv[1])
		}
	}
	if len(parts) == 0 {
		return none
	}
	return strings.Join(parts, " ")
}
