package anxin_test

import (
	"fmt"
	"testing"

	"github.com/anxin-care/anxin"
)

func TestParseYuan(t *testing.T) {
	accepted := []struct {
		in  string
		fen int64
	}{
		{"12", 1200},
		{"12.5", 1250},
		{"12.50", 1250},
		{"0.5", 50},
		{"0.05", 5},
		{"0", 0},
		{"12.500", 1250}, // zeros beyond the fen are exact
		{"6500", 650000},
		{"6,500", 650000},
		{"6,500.00", 650000},
		{"1,000,000", 100_000_000},
		{"¥12.50", 1250},
		{"￥12.50", 1250},
		{"¥ 6,500.00", 650000},
		{"12.5元", 1250},
		{"12元", 1200},
		{"12.5 元", 1250},
		{"¥12元", 1200},
		{"12元5角", 1250},
		{"12元5角3分", 1253},
		{"12元零5分", 1205},
		{"5角", 50},
		{"3分", 3},
		{"5角3分", 53},
		{"12块5毛", 1250},
		{"12块5", 1250},
		{"12元5", 1250},
		{"12块", 1200},
		{"１２．５元", 1250},
		{"  50  ", 5000},
		{"007", 700},
	}
	for _, c := range accepted {
		t.Run("accepts "+c.in, func(t *testing.T) {
			got, err := anxin.ParseYuan(c.in)
			if err != nil || got != c.fen {
				t.Fatalf("ParseYuan(%q) = %d, %v; want %d", c.in, got, err, c.fen)
			}
		})
	}
	refused := []struct {
		in, key string
	}{
		{"", "err.price_required"},
		{"  ", "err.price_required"},
		{"-5", "err.price_negative"},
		{"−5", "err.price_negative"},
		{"¥-5", "err.price_negative"},
		{"12.505", "err.price_fraction"},
		{"0.001", "err.price_fraction"},
		{"1000000.01", "err.price_too_large"},
		{"1,000,001", "err.price_too_large"},
		{"99999999999999999999", "err.price_too_large"},
		{"9223372036854775807", "err.price_too_large"},
		{"99999999999999999999元", "err.price_too_large"},
		{"12.", "err.price_format"},
		{".5", "err.price_format"},
		{"1.2.3", "err.price_format"},
		{"1e3", "err.price_format"},
		{"十二元", "err.price_format"},
		{"6500元/月", "err.price_format"},
		{"12元50", "err.price_format"},
		{"12元5角5角", "err.price_format"},
		{"5角12元", "err.price_format"},
		{"12元15角", "err.price_format"},
		{"1,00", "err.price_format"},
		{",100", "err.price_format"},
		{"1000,000", "err.price_format"},
		{"$12", "err.price_format"},
		{"12 34", "err.price_format"},
		{"1 000", "err.price_format"},
		{"NaN", "err.price_format"},
		{"0x10", "err.price_format"},
	}
	for _, c := range refused {
		t.Run("refuses "+c.in, func(t *testing.T) {
			got, err := anxin.ParseYuan(c.in)
			if err == nil {
				t.Fatalf("ParseYuan(%q) = %d, want an error", c.in, got)
			}
			e, ok := err.(*anxin.Error)
			if !ok || e.Code != anxin.EINVALID || e.Key != c.key {
				t.Fatalf("ParseYuan(%q): %v, want %s", c.in, err, c.key)
			}
		})
	}
}

// Every price the console shows reads back as the same number of fen.
func TestFormatYuan(t *testing.T) {
	for _, c := range []struct {
		fen  int64
		want string
	}{
		{0, "¥0.00"}, {5, "¥0.05"}, {50, "¥0.50"}, {1250, "¥12.50"}, {650000, "¥6,500.00"},
		{100_000_000, "¥1,000,000.00"}, {-100, "-¥1.00"}, {123456789, "¥1,234,567.89"},
	} {
		if got := anxin.FormatYuan(c.fen); got != c.want {
			t.Errorf("FormatYuan(%d) = %q, want %q", c.fen, got, c.want)
		}
		if c.fen >= 0 && c.fen <= anxin.MaxPriceFen {
			if back, err := anxin.ParseYuan(c.want); err != nil || back != c.fen {
				t.Errorf("ParseYuan(%q) = %d, %v", c.want, back, err)
			}
		}
	}
	for fen := int64(0); fen < 100_000; fen += 7 {
		if back, err := anxin.ParseYuan(anxin.FormatYuan(fen)); err != nil || back != fen {
			t.Fatalf("round trip of %d: %d, %v", fen, back, err)
		}
	}
}

func ExampleParseYuan() {
	for _, s := range []string{"12.5元", "¥12.50", "12元5角", "¥6,500.00"} {
		fen, _ := anxin.ParseYuan(s)
		fmt.Println(s, "=", fen, "fen =", anxin.FormatYuan(fen))
	}
	_, err := anxin.ParseYuan("12.505")
	fmt.Println(anxin.ErrorMessage(err))
	// Output:
	// 12.5元 = 1250 fen = ¥12.50
	// ¥12.50 = 1250 fen = ¥12.50
	// 12元5角 = 1250 fen = ¥12.50
	// ¥6,500.00 = 650000 fen = ¥6,500.00
	// A price cannot be finer than one fen (0.01 yuan).
}
