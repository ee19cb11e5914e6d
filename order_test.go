package anxin

import "testing"

func TestTransitions(t *testing.T) {
	for _, c := range []struct{ state, action, want string }{
		{StateNew, ActDispatch, StateDispatched},
		{StateAccepted, ActDispatch, StateDispatched},
		{StateClosed, ActReopen, StateNew},
		{StateInService, ActPause, StateInService},
		{StateClosed, ActStart, ""},
		{StateCancelled, ActComplete, ""},
		{StateNew, ActAccept, ""},
		{StateMerged, ActReopen, ""},
	} {
		got, err := Transition(c.state, c.action)
		if c.want == "" {
			if ErrorCode(err) != ECONFLICT {
				t.Errorf("%s %s: %q %v, want a conflict", c.state, c.action, got, err)
			}
		} else if got != c.want || err != nil {
			t.Errorf("%s %s = %q %v, want %q", c.state, c.action, got, err, c.want)
		}
	}
}

func TestCompound(t *testing.T) {
	for addr, want := range map[string]string{
		"淞滨路541弄54号602室": "淞滨路541弄",
		"枫桥路5号楼302室":     "枫桥路5号",
		"曹杨新村12号":        "曹杨新村12号",
		"兰花苑3幢201":       "兰花苑",
		"":               "",
		"no compound":    "no compound",
	} {
		if got := Compound(addr); got != want {
			t.Errorf("Compound(%q) = %q, want %q", addr, got, want)
		}
	}
}
