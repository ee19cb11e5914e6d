package registry

import (
	"testing"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/idcard"
)

func validID(first17 string) string { return first17 + string(idcard.CheckDigit(first17)) }

func TestNormalize(t *testing.T) {
	id := validID("31010719420305002")
	t.Run("canonical phones and ID fill birth date and gender", func(t *testing.T) {
		e := &anxin.Elder{Name: "王秀英", RegionCode: "310107005001", IDNumber: " " + id + " ",
			Phones:   []anxin.Phone{{Number: "6254 1234"}, {Number: "+86 138-1234-5678", Label: anxin.PhoneChild}, {Number: "021-62541234"}},
			Contacts: []anxin.Contact{{Name: "李明", Phones: []string{"１３９００００１１１１"}}},
		}
		if errs := Normalize(e); len(errs) != 0 {
			t.Fatalf("errors: %v", errs)
		}
		if len(e.Phones) != 2 || e.Phones[0].Number != "021-62541234" || e.Phones[0].Label != anxin.PhoneLandline ||
			e.Phones[1].Number != "13812345678" || e.Phones[1].Label != anxin.PhoneChild || e.Phones[1].Rank != 1 {
			t.Fatalf("phones %+v", e.Phones)
		}
		if e.Contacts[0].Phones[0] != "13900001111" {
			t.Fatalf("contact phones %v", e.Contacts[0].Phones)
		}
		if e.IDNumber != id || e.BirthDate != "1942-03-05" || e.Gender != anxin.GenderFemale {
			t.Fatalf("id %q birth %q gender %q", e.IDNumber, e.BirthDate, e.Gender)
		}
	})
	t.Run("Wuxi local numbers take 0510", func(t *testing.T) {
		e := &anxin.Elder{RegionCode: "320213001001", Phones: []anxin.Phone{{Number: "82712345"}}}
		if errs := Normalize(e); len(errs) != 0 || e.Phones[0].Number != "0510-82712345" {
			t.Fatalf("%v %+v", errs, e.Phones)
		}
	})
	t.Run("every problem is reported with its reason", func(t *testing.T) {
		bad := id[:17] + "0"
		if bad == id {
			bad = id[:17] + "1"
		}
		e := &anxin.Elder{RegionCode: "310107005001", IDNumber: bad, Phones: []anxin.Phone{{Number: "12345"}, {Number: "abc"}}}
		errs := Normalize(e)
		reasons := map[string]int{}
		for _, fe := range errs {
			reasons[fe.Reason]++
		}
		if reasons[ReasonBadPhone] != 2 || reasons[ReasonIDCheckDigit] != 1 {
			t.Fatalf("reasons %v", reasons)
		}
		if err := AsError(errs); anxin.ErrorCode(err) != anxin.EINVALID {
			t.Fatalf("AsError: %v", err)
		}
	})
	t.Run("ID must agree with birth date and gender", func(t *testing.T) {
		for _, e := range []*anxin.Elder{
			{RegionCode: "310107005001", IDNumber: id, BirthDate: "1942-03-06"},
			{RegionCode: "310107005001", IDNumber: id, Gender: anxin.GenderMale},
		} {
			errs := Normalize(e)
			if len(errs) != 1 || errs[0].Reason != ReasonIDMismatch {
				t.Errorf("%+v: %v", e, errs)
			}
		}
	})
	t.Run("a platform-wide region has no area code", func(t *testing.T) {
		e := &anxin.Elder{RegionCode: "", Phones: []anxin.Phone{{Number: "62541234"}}}
		errs := Normalize(e)
		if len(errs) != 1 || errs[0].Reason != ReasonNoAreaCode {
			t.Fatalf("%v", errs)
		}
	})
}
