// A small community for the simulator's tests: `fleet` fleet nodes and `members` client members
// on shard 32, publishing 60 messages per member per hour (denser than the seed's 5/h, so that
// short runs carry traffic).
#pragma once

#include <cstddef>

#include "sim/scenario/scenario.hpp"

namespace waku::sim::test_scenarios {

inline Scenario community(std::size_t members, std::size_t fleet, Duration duration) {
  Scenario s;
  s.name = "test-community";
  s.seed = 7;
  s.duration = duration;
  s.warmup = 20s;
  s.cooldown = 10s;
  NodeGroup fleet_group;
  fleet_group.name = "fleet";
  fleet_group.router_profile = "fleet";
  fleet_group.count = fleet;
  fleet_group.outbound_target = 10;
  fleet_group.max_connections = 100;
  fleet_group.uplink_mbps = 1000;
  fleet_group.downlink_mbps = 1000;
  fleet_group.active_fraction = 0;
  fleet_group.shards = {32};
  NodeGroup member;
  member.name = "member";
  member.router_profile = "client";
  member.count = members;
  member.outbound_target = 8;
  member.max_connections = 50;
  member.shards = {32};
  s.groups = {fleet_group, member};
  TrafficKind chat;
  chat.name = "chat";
  chat.shard = 32;
  chat.rate_per_node_per_hour = 60;  // denser than the seed's 5/h so short runs carry traffic
  chat.size.mean_bytes = 2048;
  s.traffic = {chat};
  return s;
}

}  // namespace waku::sim::test_scenarios
