#pragma once

// The text of the events pollers send to functions. boost::json::serialize writes a double in
// exponent form ("1.765129941758E9"); AWS writes Kinesis' approximateArrivalTimestamp and
// DynamoDB's ApproximateCreationDateTime as plain decimals ("1545084650.987"). Both parse to the
// same number, but a function that logs or compares the raw text should see what AWS sends.

#include <boost/json/value.hpp>
#include <string>

namespace lambdalite::esm {

// As boost::json::serialize, except that a double is written in its shortest round-trip form
// without an exponent where that is at most as long (std::to_chars), and a whole double keeps
// no fraction ("1428537600" stays an integer-looking number, as AWS writes it).
std::string SerializeEvent(const boost::json::value& value);

}  // namespace lambdalite::esm
