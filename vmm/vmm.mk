# Backend-neutral virtual memory: regions and faults (the backend comes with the platform).
VMM_SRCS := vmm/vmm.c vmm/region.c vmm/region_view.c vmm/fault.c vmm/place.c vmm/kernel_map.c vmm/selftest.c
