#ifndef MIRSAD_CLIBDEFLATE_SHIM_H
#define MIRSAD_CLIBDEFLATE_SHIM_H
#include <libdeflate.h>
#endif
