#ifndef MIRSAD_CZSTD_SHIM_H
#define MIRSAD_CZSTD_SHIM_H
#include <zstd.h>
#include <zdict.h>
#endif
