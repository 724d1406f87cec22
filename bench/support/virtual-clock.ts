/** The benches use the one fake clock of the testing kit. */
export { FakeClock as VirtualClock, settle } from "../../src/testing/fake-clock";
