// SPDX-License-Identifier: GPL-2.0-or-later
/* probe.c - not written yet. */
#include "internal.h"
