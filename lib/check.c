// SPDX-License-Identifier: GPL-2.0-or-later
/* check.c - not written yet. */
#include "internal.h"
