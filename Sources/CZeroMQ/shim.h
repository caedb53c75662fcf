#ifndef MIRSAD_CZEROMQ_SHIM_H
#define MIRSAD_CZEROMQ_SHIM_H
#include <zmq.h>
#endif
