"""The OpenADR edge: this CSMS as a VEN of the load-management centre's VTN (:mod:`csms.openadr.ven`)."""
