//go:build linux || darwin || freebsd

package recordings

import (
	"fmt"
	"syscall"
)

// statfs measures the file system holding dir.
func statfs(dir string) (Space, error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return Space{}, fmt.Errorf("recordings: free space of %s: %w", dir, err)
	}
	bs := uint64(st.Bsize)
	return Space{
		Free:       uint64(st.Bavail) * bs,
		Total:      uint64(st.Blocks) * bs,
		FreeFiles:  uint64(st.Ffree),
		TotalFiles: uint64(st.Files),
	}, nil
}
