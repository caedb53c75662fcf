#ifndef MIRSAD_CZLIB_SHIM_H
#define MIRSAD_CZLIB_SHIM_H
#include <zlib.h>
#endif
