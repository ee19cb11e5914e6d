//go:build !(linux || darwin || freebsd)

package recordings

// statfs cannot measure free space here: recordings start unchecked.
func statfs(string) (Space, error) { return Space{}, ErrUnsupported }
