package registry

import (
	"errors"
	"fmt"
	"strings"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/idcard"
	"github.com/anxin-care/anxin/phone"
)

// Reason codes of field problems, stable for API clients and the import
// report; the web package translates them ("reason.CODE").
const (
	ReasonRequired        = "required"
	ReasonBadPhone        = "bad_phone"
	ReasonNoAreaCode      = "no_area_code"
	ReasonBadID           = "bad_id"
	ReasonIDCheckDigit    = "id_check_digit"
	ReasonIDBirthDate     = "id_birth_date"
	ReasonIDMismatch      = "id_mismatch"
	ReasonBadDate         = "bad_date"
	ReasonFutureDate      = "future_date"
	ReasonUnknownRegion   = "unknown_committee"
	ReasonAmbiguousRegion = "ambiguous_committee"
	ReasonOutsideScope    = "outside_scope"
	ReasonDuplicate       = "duplicate_in_file"
	ReasonBadValue        = "bad_value"
	ReasonUnknownTag      = "unknown_tag"
	ReasonUnknownDialect  = "unknown_dialect"
)

// FieldError is one problem with one field.
type FieldError struct {
	Field  string // elder field name: name, phone, id_number, birth_date, committee …
	Reason string // one of the Reason* codes
	Value  string // what was given
	Detail string // English detail for logs and API clients
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("%s: %s (%q): %s", e.Field, e.Reason, e.Value, e.Detail)
}

// Normalize puts an elder's phone numbers and ID number into canonical
// form, in place. Local landline numbers take the area code of the
// elder's city. A valid ID number fills in an empty birth date and gender
// and must agree with given ones. It returns every problem found, not just
// the first.
func Normalize(e *anxin.Elder) []*FieldError {
	var errs []*FieldError
	area := phone.AreaCode(cityOf(e.RegionCode))
	seen := map[string]bool{}
	phones := e.Phones[:0]
	for _, p := range e.Phones {
		n, err := phone.Normalize(p.Number, area)
		if err != nil {
			errs = append(errs, phoneError("phone", p.Number, err))
			continue
		}
		if seen[n] {
			continue
		}
		seen[n] = true
		if p.Label == "" || p.Label == anxin.PhoneOther && phone.IsMobile(n) {
			p.Label = anxin.PhoneLandline
			if phone.IsMobile(n) {
				p.Label = anxin.PhoneMobile
			}
		}
		p.Number, p.Rank = n, len(phones)
		phones = append(phones, p)
	}
	e.Phones = phones
	for ci := range e.Contacts {
		c := &e.Contacts[ci]
		var ok []string
		for _, raw := range c.Phones {
			n, err := phone.Normalize(raw, area)
			if err != nil {
				errs = append(errs, phoneError("contact_phone", raw, err))
				continue
			}
			ok = append(ok, n)
		}
		c.Phones = ok
	}
	if e.IDNumber != "" {
		if fe := normalizeID(e); fe != nil {
			errs = append(errs, fe)
		}
	}
	return errs
}

func normalizeID(e *anxin.Elder) *FieldError {
	id, err := idcard.Parse(e.IDNumber)
	if err != nil {
		reason := ReasonBadID
		switch {
		case errors.Is(err, idcard.ErrCheckDigit):
			reason = ReasonIDCheckDigit
		case errors.Is(err, idcard.ErrBirthDate):
			reason = ReasonIDBirthDate
		}
		return &FieldError{Field: "id_number", Reason: reason, Value: e.IDNumber, Detail: err.Error()}
	}
	birth := id.BirthDate
	switch {
	case e.BirthDate != "" && e.BirthDate != birth:
		return &FieldError{Field: "id_number", Reason: ReasonIDMismatch, Value: e.IDNumber, Detail: fmt.Sprintf("ID says born %s, birth date says %s", birth, e.BirthDate)}
	case e.Gender != "" && e.Gender != id.Gender:
		return &FieldError{Field: "id_number", Reason: ReasonIDMismatch, Value: e.IDNumber, Detail: fmt.Sprintf("ID says gender %s, gender says %s", id.Gender, e.Gender)}
	}
	e.IDNumber, e.BirthDate, e.Gender = id.Number, birth, id.Gender
	return nil
}

func phoneError(field, raw string, err error) *FieldError {
	reason := ReasonBadPhone
	if errors.Is(err, phone.ErrNoAreaCode) {
		reason = ReasonNoAreaCode
	}
	return &FieldError{Field: field, Reason: reason, Value: raw, Detail: err.Error()}
}

// cityOf returns the 4-digit city code of a region code.
func cityOf(code string) string {
	if len(code) < 4 {
		return ""
	}
	return code[:4]
}

// AsError turns field problems into one EINVALID error for forms and the
// API, naming every field.
func AsError(errs []*FieldError) error {
	if len(errs) == 0 {
		return nil
	}
	parts := make([]string, len(errs))
	for i, e := range errs {
		parts[i] = e.Error()
	}
	first := errs[0]
	return &anxin.Error{Code: anxin.EINVALID, Message: strings.Join(parts, "; "),
		Key: "reason." + first.Reason, Args: nil}
}
