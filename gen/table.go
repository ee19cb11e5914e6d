package gen

import (
	"math/rand/v2"
	"sort"
)

// w is one item of a weighted table and its weight.
type w[T any] struct {
	item   T
	weight float64
}

// table picks items at random in proportion to their weights.
type table[T any] struct {
	items []T
	cum   []float64 // cumulative weights, strictly increasing
}

// newTable builds a table; items of weight 0 are never picked.
func newTable[T any](ws ...w[T]) *table[T] {
	t := &table[T]{}
	sum := 0.0
	for _, x := range ws {
		if x.weight <= 0 {
			continue
		}
		sum += x.weight
		t.items = append(t.items, x.item)
		t.cum = append(t.cum, sum)
	}
	return t
}

// pick returns a random item.
func (t *table[T]) pick(r *rand.Rand) T {
	x := r.Float64() * t.cum[len(t.cum)-1]
	i := sort.Search(len(t.cum), func(i int) bool { return t.cum[i] > x })
	return t.items[min(i, len(t.items)-1)]
}

// strs builds a table of strings from "item weight" pairs written as
// alternating arguments' items and weights; it is how the word lists stay
// readable.
func strs(pairs ...any) *table[string] {
	ws := make([]w[string], 0, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		ws = append(ws, w[string]{pairs[i].(string), toFloat(pairs[i+1])})
	}
	return newTable(ws...)
}

// even builds a table of equally likely strings.
func even(items ...string) *table[string] {
	ws := make([]w[string], len(items))
	for i, s := range items {
		ws[i] = w[string]{s, 1}
	}
	return newTable(ws...)
}

func toFloat(v any) float64 {
	switch x := v.(type) {
	case int:
		return float64(x)
	case float64:
		return x
	}
	panic("gen: weight must be int or float64")
}
