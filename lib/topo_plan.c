// SPDX-License-Identifier: GPL-2.0-or-later
/* topo_plan.c - not written yet. */
#include "internal.h"
