package rtp

import (
	"errors"
	"fmt"
	"time"

	"github.com/anxin-care/anxin/media"
)

// ErrNoTelephoneEvent reports SendDigit on a leg whose stream has no
// telephone-event payload type (or no stream yet): the peer takes DTMF by
// SIP INFO, which is the SIP layer's to send.
var ErrNoTelephoneEvent = errors.New("rtp: peer takes no RFC 4733 events")

const (
	// digitDuration is how long a digit SendDigit sends lasts.
	digitDuration = 100 * time.Millisecond

	// digitGap is the number of frames of audio between two digits.
	digitGap = 3

	// maxDigits is the most digits waiting to be sent.
	maxDigits = 32
)

// Play queues a prompt, 8000 Hz samples as media.ReadPrompt returns them,
// to be sent after the prompts queued before it. The samples are only read,
// so one prompt may be played by many legs at once. The returned channel
// is closed when the prompt has been played to its end, or stopped by
// StopPlayback or Close.
//
// Prompts play while the leg has a stream, whether or not its direction
// sends: on hold a prompt goes on in silence, so that it ends when it would
// have. Before SetStream they wait.
func (l *Leg) Play(samples []int16) <-chan struct{} {
	done := make(chan struct{})
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.tx.closed || len(samples) == 0 {
		close(done)
		return done
	}
	l.tx.queue = append(l.tx.queue, playback{samples: samples, done: done})
	return done
}

// StopPlayback stops the prompt playing and drops those queued, closing
// their channels; silence follows from the next frame. Call it when the
// caller presses a key during a prompt (barge-in).
func (l *Leg) StopPlayback() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.tx.stopPlayback()
}

// Playing reports whether a prompt is playing or queued.
func (l *Leg) Playing() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.tx.queue) > 0
}

// SendDigit queues the DTMF digit d ('0'-'9', '*', '#', 'A'-'D') to be sent
// as RFC 4733 events, 100 ms long, after the digits queued before it. While
// a digit is sent no audio is: the prompt playing waits. It returns an
// error wrapping media.ErrInvalidDTMF for another rune, ErrNoTelephoneEvent
// when the peer takes no events, and ErrClosed after Close.
func (l *Leg) SendDigit(d rune) error {
	if _, ok := media.EventCode(d); !ok {
		return fmt.Errorf("rtp: send digit %q: %w", d, media.ErrInvalidDTMF)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.tx.closed {
		return ErrClosed
	}
	if st := l.state.Load(); st == nil || st.TelephoneEvent == 0 {
		return fmt.Errorf("rtp: send digit %q: %w", d, ErrNoTelephoneEvent)
	}
	if len(l.tx.digits) >= maxDigits {
		return fmt.Errorf("rtp: send digit %q: %d digits already waiting", d, maxDigits)
	}
	l.tx.digits = append(l.tx.digits, d)
	return nil
}
