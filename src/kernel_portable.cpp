// The EM kernel built with the compiler's default (portable) flags; it runs on every CPU.
#define GMMEM_KERNEL_NAME "portable"
#define GMMEM_KERNEL_GETTER portable_kernel
#include "kernel_impl.h"
