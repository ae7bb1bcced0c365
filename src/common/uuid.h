// File: uuid.h
// Random (version 4) UUIDs for run ids, agent ids and report identities.
#pragma once

#include <string>

namespace asgard {

// "3f1c...-...": 36 characters, lowercase, from getrandom(2).
std::string NewUuid();

}  // namespace asgard
